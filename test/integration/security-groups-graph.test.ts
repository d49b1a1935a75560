// Group scope fails closed: a token that does not list the caller's groups (no `groups` claim, the overage marker,
// `hasgroups`) while group assignments exist is resolved through Microsoft Graph (transitive getMemberGroups with the
// service's own credential, cached), and refused with 403 saying why when Graph is not configured or fails.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import type { TestContext } from "../helpers/app.js";
import { ADMIN, BOOKER, type TestIdentityProvider } from "../helpers/auth.js";
import { HOUR, fromNow, type FixtureVm } from "../helpers/bookings.js";
import { expectContract } from "../helpers/openapi.js";
import { TEAM, createScopeFixture, type ScopeFixture } from "../helpers/scope.js";

const ZOE = "0f1e0000-0000-4000-8000-00000000020e";
const YAN = "0f1e0000-0000-4000-8000-00000000019a";
const ADMIN_OID = "0f1e0000-0000-4000-8000-0000000000ad";
const ADMINS = "0f1e0000-0000-4000-8000-00000000ad00";
const BOT_APP = "0f1e0000-0000-4000-8000-000000000b07";
const BOT_SP = "0f1e0000-0000-4000-8000-0000000005b0";

describe("group membership when the token does not list it", () => {
  let fx: ScopeFixture;
  let ctx: TestContext;
  let idp: TestIdentityProvider;
  let mine: FixtureVm[];
  let theirs: FixtureVm[];
  beforeAll(async () => {
    fx = await createScopeFixture();
    ({ ctx, idp, mine, theirs } = fx);
    expect((await ctx.http.post("/v1/scope-assignments").send({ principalId: TEAM, subscriptionId: mine[0].subscriptionId })).status).toBe(201);
    for (const oid of [ZOE, YAN, BOT_SP]) idp.graph.setGroups(oid, [TEAM.toUpperCase()]);
  });
  afterAll(() => fx?.close());
  afterAll(() => idp?.graph.fail(null));

  const get = async (token: string, url: string) => {
    const res = await ctx.anonymous.get(url).set("authorization", `Bearer ${token}`);
    expectContract(res);
    return res;
  };
  const visible = async (token: string) => (await get(token, "/v1/virtual-machines?limit=1000")).body.value.map((v: { id: string }) => v.id).sort();
  const onlyMine = () => mine.map((v) => v.id).sort();

  it.each([
    ["no groups claim at all", {}],
    ["the overage marker", { _claim_names: { groups: "src1" }, _claim_sources: { src1: { endpoint: "https://graph.microsoft.com/v1.0/users/x/getMemberObjects" } } }],
    ["hasgroups", { hasgroups: true }],
  ])("a team member whose token has %s is narrowed by the team's assignment (groups from Graph)", async (_name, claims) => {
    const zoe = await idp.user(BOOKER, { oid: ZOE, preferred_username: "zoe@contoso.com", ...claims });
    expect(await visible(zoe)).toEqual(onlyMine());
    expect((await get(zoe, `/v1/virtual-machines/${theirs[0].id}`)).status).toBe(404);
    const elsewhere = await ctx.anonymous.post("/v1/bookings").set("authorization", `Bearer ${zoe}`).send({ virtualMachineId: theirs[3].id, startAt: fromNow(3 * HOUR) });
    expect(elsewhere.status).toBe(403);
    expect(idp.graph.calls()).toContainEqual({ collection: "users", objectId: ZOE });
  });

  it("an application without groups in its token is resolved as a service principal", async () => {
    const bot = await idp.app(BOOKER, { oid: BOT_SP, azp: BOT_APP });
    expect(await visible(bot)).toEqual(onlyMine());
    expect(idp.graph.calls()).toContainEqual({ collection: "servicePrincipals", objectId: BOT_SP });
  });

  it("caches each principal's groups: a burst of requests asks Graph once", async () => {
    const yan = await idp.user(BOOKER, { oid: YAN });
    const before = idp.graph.calls().filter((c) => c.objectId === YAN).length;
    for (let i = 0; i < 5; i++) expect(await visible(yan)).toEqual(onlyMine());
    expect(idp.graph.calls().filter((c) => c.objectId === YAN).length - before).toBe(1);
  });

  it("Graph refusing (no permission) or failing: 403 naming why, never unrestricted", async () => {
    const who = "0f1e0000-0000-4000-8000-0000000000f1"; // not cached yet
    const token = await idp.user(BOOKER, { oid: who });
    for (const status of [403, 503]) {
      idp.graph.fail(status);
      const res = await get(token, "/v1/virtual-machines?limit=1000");
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("forbidden");
      expect(res.body.detail).toMatch(/Microsoft Graph/);
      expect(res.body.detail).toContain(String(status));
    }
    idp.graph.fail(null);
    // Its own (direct) assignments still bound it: they can be applied without knowing its groups.
    expect((await ctx.http.post("/v1/scope-assignments").send({ principalId: who, subscriptionId: theirs[0].subscriptionId })).status).toBe(201);
    idp.graph.fail(503);
    const own = await get(token, "/v1/virtual-machines?limit=1000");
    idp.graph.fail(null);
    expect(own.status).toBe(200);
    expect(own.body.value.map((v: { id: string }) => v.id).sort()).toEqual(theirs.map((v) => v.id).sort());
  });

  it("Graph not configured (AUTH_GROUP_SOURCE=claim): a token without groups is refused while group assignments exist, saying why", async () => {
    const app = await buildApp({ ...ctx.appDeps, auth: idp.setup({ AUTH_GROUP_SOURCE: "claim" }) });
    await app.ready();
    try {
      const zoe = await idp.user(BOOKER, { oid: ZOE });
      const res = await request(app.server).get("/v1/virtual-machines").set("authorization", `Bearer ${zoe}`);
      expectContract(res);
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/AUTH_GROUP_SOURCE/);
      // A token that lists its groups is trusted as before.
      const listed = await idp.user(BOOKER, { oid: ZOE, groups: [TEAM] });
      expect((await request(app.server).get("/v1/virtual-machines?limit=1000").set("authorization", `Bearer ${listed}`)).body.value).toHaveLength(mine.length);
    } finally {
      await app.close();
    }
  });

  it("AUTH_GROUP_SOURCE=graph asks Graph even when the token lists groups (the claim may list only groups assigned to the application)", async () => {
    const app = await buildApp({ ...ctx.appDeps, auth: idp.setup({ AUTH_GROUP_SOURCE: "graph" }) });
    await app.ready();
    try {
      const partial = await idp.user(BOOKER, { oid: ZOE, groups: [] });
      const res = await request(app.server).get("/v1/virtual-machines?limit=1000").set("authorization", `Bearer ${partial}`);
      expect(res.body.value.map((v: { id: string }) => v.id).sort()).toEqual(onlyMine());
    } finally {
      await app.close();
    }
  });

  it("an admin whose token lists no groups cannot create an assignment naming a group Graph says they are in (409)", async () => {
    idp.graph.setGroups(ADMIN_OID, [ADMINS]);
    const admin = await idp.user(ADMIN, { oid: ADMIN_OID, preferred_username: "root@contoso.com" });
    const res = await ctx.anonymous.post("/v1/scope-assignments").set("authorization", `Bearer ${admin}`).send({ principalId: ADMINS, subscriptionId: mine[0].subscriptionId });
    expectContract(res);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("scope-assignment-names-caller");
    // … and is not locked out by it.
    expect((await get(admin, "/v1/scope-assignments")).status).toBe(200);
  });
});
