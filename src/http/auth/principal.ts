// Turns the claims of a verified Entra access token into a Principal. Pure; test/unit/principal.test.ts.
// Claims reference: https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
import { ROLES, type Principal, type Role } from "../../domain/access.js";

export type Claims = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/**
 * App-only (client-credentials) tokens carry no `scp`; `idtyp: "app"` says so explicitly when the optional
 * claim is configured. Delegated tokens always carry `scp`.
 */
export function isAppToken(claims: Claims): boolean {
  return claims.idtyp === "app" || (claims.idtyp !== "user" && str(claims.scp) === null);
}

/**
 * The groups the token lists, or null when it does not list them: no `groups` claim (not configured, or none to
 * emit), or Entra left them out — too many (`_claim_names.groups`, the overage marker) or an implicit flow
 * (`hasgroups`).
 */
function tokenGroups(claims: Claims): string[] | null {
  const names = claims._claim_names;
  const omitted = claims.hasgroups === true || (typeof names === "object" && names !== null && "groups" in names);
  return omitted || !Array.isArray(claims.groups) ? null : strings(claims.groups).map((g) => g.toLowerCase());
}

/**
 * The principal, or null when the token names nobody we could record: a user token without `oid`, or an
 * app-shaped token (no `scp`) without `appid`/`azp` — such as an ID token, which is not an access token for us.
 */
export function principalFromClaims(claims: Claims): Principal | null {
  const oid = str(claims.oid);
  const appId = str(claims.appid) ?? str(claims.azp);
  const kind = isAppToken(claims) ? "app" : "user";
  const id = kind === "app" ? appId : oid;
  if (id === null) return null;
  // v1 tokens name the user in `upn`/`unique_name`, v2 in `preferred_username`.
  const actor = kind === "app" ? id : str(claims.preferred_username) ?? str(claims.upn) ?? str(claims.unique_name) ?? id;
  // For a user, appid/azp is the client app acting for them; it must not widen the user's scope.
  const own = kind === "app" ? [oid, appId] : [oid];
  const ownIds = [...new Set(own.filter((x): x is string => x !== null).map((x) => x.toLowerCase()))];
  const roles = strings(claims.roles).filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  return { kind, id: id.toLowerCase(), objectId: oid?.toLowerCase() ?? null, actor, ownIds, groups: tokenGroups(claims), roles };
}
