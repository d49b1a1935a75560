import { describe, expect, it } from "vitest";
import { ANONYMOUS, hasRole, inScope, scopeFrom, type Principal } from "../../src/domain/access.js";
import { isAppToken, principalFromClaims } from "../../src/http/auth/principal.js";

const OID = "0A1B2C3D-0000-4000-8000-000000000001";
const GROUP = "6E5D4C3B-0000-4000-8000-0000000000F1";

describe("principalFromClaims", () => {
  it("a v2 delegated token: the user by preferred_username; scope ids are the oid and groups, not the client app", () => {
    const p = principalFromClaims({ oid: OID, preferred_username: "alice@contoso.com", scp: "access_as_user", azp: "client-app", groups: [GROUP], roles: ["Maintenance.Book", "Other.Role"] });
    expect(p).toEqual({
      kind: "user", id: OID.toLowerCase(), objectId: OID.toLowerCase(), actor: "alice@contoso.com", ownIds: [OID.toLowerCase()], groups: [GROUP.toLowerCase()], roles: ["Maintenance.Book"],
    });
  });
  it("a v1 delegated token names the user in upn; without any name, the oid", () => {
    expect(principalFromClaims({ oid: OID, upn: "bob@contoso.com", scp: "user_impersonation" })?.actor).toBe("bob@contoso.com");
    expect(principalFromClaims({ oid: OID, scp: "user_impersonation" })?.actor).toBe(OID);
  });
  it("an application token (idtyp app, or no scp): the app by appid (v1) or azp (v2)", () => {
    expect(principalFromClaims({ oid: "sp-oid", appid: "app-v1", idtyp: "app", roles: ["Maintenance.Admin"] })).toEqual({
      kind: "app", id: "app-v1", objectId: "sp-oid", actor: "app-v1", ownIds: ["sp-oid", "app-v1"], groups: null, roles: ["Maintenance.Admin"],
    });
    expect(principalFromClaims({ oid: "sp-oid", azp: "app-v2", roles: [] })).toMatchObject({ kind: "app", actor: "app-v2" });
    expect(isAppToken({ scp: "x" })).toBe(false);
    expect(isAppToken({ idtyp: "app", scp: "x" })).toBe(true);
  });
  it("an app-shaped token without appid/azp (e.g. an ID token) is nobody, not an application", () => {
    expect(principalFromClaims({ oid: OID, preferred_username: "alice@contoso.com", nonce: "n", roles: ["Maintenance.Admin"] })).toBeNull();
  });
  it("knows when the token does not list the user's groups: no claim, the overage marker, hasgroups (null: look them up)", () => {
    expect(principalFromClaims({ oid: OID, scp: "x", _claim_names: { groups: "src1" }, _claim_sources: { src1: {} } })?.groups).toBeNull();
    expect(principalFromClaims({ oid: OID, scp: "x", hasgroups: true })?.groups).toBeNull();
    expect(principalFromClaims({ oid: OID, scp: "x" })?.groups).toBeNull();
    expect(principalFromClaims({ oid: OID, scp: "x", groups: [GROUP] })?.groups).toEqual([GROUP.toLowerCase()]);
    expect(principalFromClaims({ oid: OID, scp: "x", groups: [] })?.groups).toEqual([]);
  });
  it("a token that names nobody, and junk claim types, yield no principal or no roles", () => {
    expect(principalFromClaims({ scp: "x" })).toBeNull();
    expect(principalFromClaims({ oid: 5, appid: {}, idtyp: "app" })).toBeNull();
    expect(principalFromClaims({ oid: OID, scp: "x", roles: "Maintenance.Admin", groups: "g" })).toMatchObject({ roles: [], ownIds: [OID.toLowerCase()], groups: null });
  });
});

describe("roles", () => {
  const p = (roles: Principal["roles"]): Principal => ({ kind: "user", id: "a", objectId: "a", actor: "a", ownIds: [], groups: [], roles });
  it("Admin implies Book implies Read; nothing implies upwards", () => {
    expect(hasRole(p(["Maintenance.Admin"]), "Maintenance.Read")).toBe(true);
    expect(hasRole(p(["Maintenance.Book"]), "Maintenance.Read")).toBe(true);
    expect(hasRole(p(["Maintenance.Book"]), "Maintenance.Admin")).toBe(false);
    expect(hasRole(p(["Maintenance.Read"]), "Maintenance.Book")).toBe(false);
    expect(hasRole(p([]), "Maintenance.Read")).toBe(false);
    expect(hasRole(ANONYMOUS, "Maintenance.Admin")).toBe(true);
  });
});

describe("scope", () => {
  const sub = "11111111-1111-4111-8111-111111111111";
  it("no assignments: unrestricted", () => {
    expect(scopeFrom([])).toBeNull();
    expect(inScope(null, { subscriptionId: "any", resourceGroup: "any" })).toBe(true);
  });
  it("a subscription covers all its groups; a group only itself; compared as ARM compares names", () => {
    const other = "22222222-2222-4222-8222-22222222222a";
    const scope = scopeFrom([{ subscriptionId: sub.toUpperCase(), resourceGroup: null }, { subscriptionId: other, resourceGroup: "RG-Web" }, { subscriptionId: other, resourceGroup: "rg-kelvin" }]);
    expect(inScope(scope, { subscriptionId: sub, resourceGroup: "anything" })).toBe(true);
    expect(inScope(scope, { subscriptionId: other.toUpperCase(), resourceGroup: "rg-web" })).toBe(true);
    expect(inScope(scope, { subscriptionId: other, resourceGroup: "rg-db" })).toBe(false);
    expect(inScope(scope, { subscriptionId: "33333333-3333-4333-8333-333333333333", resourceGroup: "rg-web" })).toBe(false);
    expect(inScope(scope, { subscriptionId: other, resourceGroup: "RG-KELVIN" })).toBe(true);
    // U+212A KELVIN SIGN lower-cases to k, but ARM keeps it apart from k.
    expect(inScope(scope, { subscriptionId: other, resourceGroup: "rg-\u212Aelvin" })).toBe(false);
  });
});
