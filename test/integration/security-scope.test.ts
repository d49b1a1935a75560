// Scope assignments narrow what a principal sees and books; every change lands in the audit trail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestContext } from "../helpers/app.js";
import { BOOKER, type TestIdentityProvider } from "../helpers/auth.js";
import { HOUR, fromNow, type FixtureVm } from "../helpers/bookings.js";
import { TEAM, createScopeFixture, resourceGroup, type ScopeFixture } from "../helpers/scope.js";
import { expectContract } from "../helpers/openapi.js";
import { listAll } from "../helpers/sync.js";

const BOB = "0b0b0b0b-0000-4000-8000-000000000b0b";

describe("scope assignments", () => {
  let fx: ScopeFixture;
  let ctx: TestContext;
  let idp: TestIdentityProvider;
  let bob: string;
  let mine: FixtureVm[];
  let theirs: FixtureVm[];
  let theirBooking: Record<string, any>;
  beforeAll(async () => {
    fx = await createScopeFixture();
    ({ ctx, idp, mine, theirs, theirBooking } = fx);
    bob = await idp.user(BOOKER, { oid: BOB, preferred_username: "bob@contoso.com", groups: [TEAM] });
  });
  afterAll(() => fx?.close());
  const as = (token: string) => ({
    get: async (url: string) => { const r = await ctx.anonymous.get(url).set("authorization", `Bearer ${token}`); expectContract(r); return r; },
    post: async (url: string, body?: object) => { const r = await ctx.anonymous.post(url).set("authorization", `Bearer ${token}`).send(body); expectContract(r); return r; },
  });
  const assign = async (body: object) => {
    const res = await ctx.http.post("/v1/scope-assignments").send(body);
    expectContract(res);
    return res;
  };

  it("without assignments a principal sees everything its role allows", async () => {
    expect((await as(bob).get("/v1/virtual-machines?limit=1000")).body.value).toHaveLength(12);
  });

  it("an assignment through a group narrows lists, hides other items (404) and refuses bookings elsewhere (403)", async () => {
    const created = await assign({ principalId: TEAM.toUpperCase(), subscriptionId: mine[0].subscriptionId.toUpperCase() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ principalId: TEAM, subscriptionId: mine[0].subscriptionId, resourceGroup: null, createdBy: "9a8b7c6d-0000-4000-8000-00000000a991" });
    expect((await assign({ principalId: TEAM, subscriptionId: mine[0].subscriptionId })).status).toBe(409);

    const listed = (await as(bob).get("/v1/virtual-machines?limit=1000")).body.value.map((v: { id: string }) => v.id).sort();
    expect(listed).toEqual(mine.map((v) => v.id).sort());
    expect((await as(bob).get(`/v1/virtual-machines/${theirs[0].id}`)).status).toBe(404);
    expect((await as(bob).get(`/v1/virtual-machines/${mine[0].id}`)).status).toBe(200);
    expect((await as(bob).get("/v1/bookings")).body.value).toEqual([]);
    expect((await as(bob).get(`/v1/bookings/${theirBooking.id}`)).status).toBe(404);
    const elsewhere = await as(bob).post("/v1/bookings", { virtualMachineId: theirs[1].id, startAt: fromNow(3 * HOUR) });
    // 403 as the security rules say, but without telling the caller where the VM is.
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.code).toBe("forbidden");
    expect(elsewhere.text).not.toContain(theirs[1].subscriptionId);
    expect(elsewhere.text).not.toContain(resourceGroup(theirs[1]));
    expect((await as(bob).post(`/v1/bookings/${theirBooking.id}/cancel`)).status).toBe(404);
    const here = await as(bob).post("/v1/bookings", { virtualMachineId: mine[1].id, startAt: fromNow(3 * HOUR) });
    expect(here.status).toBe(201);
    expect((await as(bob).get("/v1/bookings")).body.value.map((b: { id: string }) => b.id)).toEqual([here.body.id]);
  });

  it("a resource-group assignment adds just that group, case-insensitively", async () => {
    const rg = resourceGroup(theirs[2]);
    expect((await assign({ principalId: BOB, subscriptionId: theirs[2].subscriptionId, resourceGroup: rg.toUpperCase() })).status).toBe(201);
    const listed = (await as(bob).get("/v1/virtual-machines?limit=1000")).body.value;
    const expected = [...mine, ...theirs.filter((v) => resourceGroup(v).toLowerCase() === rg.toLowerCase())];
    expect(listed.map((v: { id: string }) => v.id).sort()).toEqual(expected.map((v) => v.id).sort());
  });

  it("deleting every assignment makes the principal unrestricted again; all of it is audited", async () => {
    const assignments = await listAll(ctx.http, "/v1/scope-assignments?limit=1");
    expect(assignments).toHaveLength(2);
    for (const a of assignments) expect((await ctx.http.delete(`/v1/scope-assignments/${a.id}`)).status).toBe(204);
    const again = await ctx.http.delete(`/v1/scope-assignments/${assignments[0].id}`);
    expectContract(again);
    expect(again.status).toBe(404);
    expect((await as(bob).get("/v1/virtual-machines?limit=1000")).body.value).toHaveLength(12);

    const events = await listAll(ctx.http, "/v1/audit-events?limit=2");
    const actions = events.map((e) => e.action);
    expect(actions.filter((a) => a === "scope-assignment.created")).toHaveLength(2);
    expect(actions.filter((a) => a === "scope-assignment.deleted")).toHaveLength(2);
    expect(events.map((e) => Number(e.id))).toEqual([...events.map((e) => Number(e.id))].sort((a, b) => b - a));
    const deleted = events.find((e) => e.action === "scope-assignment.deleted")!;
    expect(deleted).toMatchObject({ targetType: "scope-assignment", before: expect.objectContaining({ principalId: expect.any(String) }), after: null });
    const bobs = (await ctx.http.get(`/v1/audit-events?actor=bob@contoso.com&action=booking.created`)).body.value;
    expect(bobs).toHaveLength(1);
    const future = (await ctx.http.get(`/v1/audit-events?from=${encodeURIComponent(fromNow(HOUR))}`)).body.value;
    expect(future).toEqual([]);
  });

  it("the audit trail cannot be rewritten, not even with SQL", async () => {
    const pool = ctx.database.db.pool;
    await expect(pool.query(`UPDATE audit_events SET actor = 'mallory'`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
  });
});
