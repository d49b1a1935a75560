// Who may do what: app roles from the token, and scope assignments that narrow a principal to some
// subscriptions or resource groups. Pure: the HTTP layer supplies the principal, the database the assignments.

/** App roles defined on the API's Entra app registration. Each includes the ones before it. */
export const ROLES = ["Maintenance.Read", "Maintenance.Book", "Maintenance.Admin"] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  kind: "user" | "app" | "anonymous";
  /** Stable identity: a user's object id, an application's client id (lower-cased). Keys idempotency and rate limits. */
  id: string;
  /** Recorded on bookings and audit events: a user's preferred_username (else oid), an app's appid (else azp). */
  actor: string;
  /** Ids scope assignments may name: the object id, the client id, and the groups claim; lower-cased. */
  ids: string[];
  roles: Role[];
  /**
   * The token did not list the user's groups (Entra's overage marker, or `hasgroups`): group assignments cannot
   * be applied, so scope must fail closed.
   */
  groupsUnknown: boolean;
}

export const ANONYMOUS: Principal = Object.freeze({ kind: "anonymous", id: "anonymous", actor: "anonymous", ids: [], roles: [...ROLES], groupsUnknown: false }) as Principal;

/**
 * Admin implies Book implies Read: a booker must see what they book, and an admin can do what a booker can.
 * Keeps Entra assignments to one role per person or app.
 */
export function hasRole(principal: Principal, required: Role): boolean {
  const needed = ROLES.indexOf(required);
  return principal.roles.some((r) => ROLES.indexOf(r) >= needed);
}

export interface ScopeEntry {
  /** Lower-cased. */
  subscriptionId: string;
  /** Lower-cased; null: the whole subscription. */
  resourceGroup: string | null;
}

/** `null`: unrestricted (no assignment names the principal); else the union of its entries. */
export type Scope = ScopeEntry[] | null;

/** A principal with no assignments is unrestricted: its role alone decides. */
export function scopeFrom(assignments: { subscriptionId: string; resourceGroup: string | null }[]): Scope {
  if (assignments.length === 0) return null;
  return assignments.map((a) => ({ subscriptionId: a.subscriptionId.toLowerCase(), resourceGroup: a.resourceGroup?.toLowerCase() ?? null }));
}

/** ARM ids are case-insensitive. */
export function inScope(scope: Scope, vm: { subscriptionId: string; resourceGroup: string }): boolean {
  if (scope === null) return true;
  const sub = vm.subscriptionId.toLowerCase();
  const rg = vm.resourceGroup.toLowerCase();
  return scope.some((e) => e.subscriptionId === sub && (e.resourceGroup === null || e.resourceGroup === rg));
}
