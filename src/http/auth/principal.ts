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

/** Entra leaves `groups` out when a user has too many (`_claim_names.groups`) or in implicit flows (`hasgroups`). */
function groupsOmitted(claims: Claims): boolean {
  const names = claims._claim_names;
  return claims.hasgroups === true || (typeof names === "object" && names !== null && "groups" in names);
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
  const ids = [...new Set([...own, ...strings(claims.groups)].filter((x): x is string => x !== null).map((x) => x.toLowerCase()))];
  const roles = strings(claims.roles).filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  return { kind, id: id.toLowerCase(), actor, ids, roles, groupsUnknown: groupsOmitted(claims) };
}
