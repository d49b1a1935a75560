// Who may do what: app roles from the token, and scope assignments that narrow a principal to some
// subscriptions or resource groups. Pure: the HTTP layer supplies the principal, the database the assignments.
import { armKey, subscriptionIdOf } from "./arm-names.js";

/** App roles defined on the API's Entra app registration. Each includes the ones before it. */
export const ROLES = ["Maintenance.Read", "Maintenance.Book", "Maintenance.Admin"] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  kind: "user" | "app" | "anonymous";
  /** Stable identity: a user's object id, an application's client id (lower-cased). Keys idempotency and rate limits. */
  id: string;
  /** The directory object (`oid`): the user, or the application's service principal; lower-cased. For group lookups. */
  objectId: string | null;
  /** Recorded on bookings and audit events: a user's preferred_username (else oid), an app's appid (else azp). */
  actor: string;
  /** The principal's own ids scope assignments may name: the object id and, for an application, the client id; lower-cased. */
  ownIds: string[];
  /**
   * The groups the token lists, lower-cased; null when it lists none — no `groups` claim, Entra's overage marker or
   * `hasgroups` — so they must be looked up (or scope fail closed): absent groups must never widen access.
   */
  groups: string[] | null;
  roles: Role[];
}

export const ANONYMOUS: Principal = Object.freeze({ kind: "anonymous", id: "anonymous", objectId: null, actor: "anonymous", ownIds: [], groups: [], roles: [...ROLES] }) as Principal;

/**
 * Admin implies Book implies Read: a booker must see what they book, and an admin can do what a booker can.
 * Keeps Entra assignments to one role per person or app.
 */
export function hasRole(principal: Principal, required: Role): boolean {
  const needed = ROLES.indexOf(required);
  return principal.roles.some((r) => ROLES.indexOf(r) >= needed);
}

export interface ScopeEntry {
  /** As stored: a lower-case GUID (src/domain/arm-names.ts `subscriptionIdOf`). */
  subscriptionId: string;
  /** The resource group as the assignment names it; null: the whole subscription. */
  resourceGroup: string | null;
  /** Its `armKey`, for comparing; null: the whole subscription. */
  resourceGroupKey: string | null;
}

/** `null`: unrestricted (no assignment names the principal); else the union of its entries. */
export type Scope = ScopeEntry[] | null;

/** A principal with no assignments is unrestricted: its role alone decides. */
export function scopeFrom(assignments: { subscriptionId: string; resourceGroup: string | null }[]): Scope {
  if (assignments.length === 0) return null;
  return assignments.map((a) => ({
    subscriptionId: subscriptionIdOf(a.subscriptionId) ?? a.subscriptionId,
    resourceGroup: a.resourceGroup,
    resourceGroupKey: a.resourceGroup === null ? null : armKey(a.resourceGroup),
  }));
}

/** Subscription and resource group compared as ARM compares them (src/domain/arm-names.ts). */
export function inScope(scope: Scope, vm: { subscriptionId: string; resourceGroup: string }): boolean {
  if (scope === null) return true;
  const sub = subscriptionIdOf(vm.subscriptionId);
  const rg = armKey(vm.resourceGroup);
  return scope.some((e) => e.subscriptionId === sub && (e.resourceGroupKey === null || e.resourceGroupKey === rg));
}
