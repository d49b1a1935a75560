// Maintenance groups and the plan preview through the API, on the real database: create or replace, read with
// figures, list, delete, resume, every write audited; policies checked with one problem code per mistake; who may
// read and write. Bookings' early `deferred` warning and the preview's projections (no dispatcher runs here).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { ADMIN, BOOKER, READER, startTestIdentityProvider, type TestIdentityProvider } from "../helpers/auth.js";
import { DAY, HOUR, MINUTE, fromNow, selfServiceWindow } from "../helpers/bookings.js";
import { expectContract } from "../helpers/openapi.js";
import { listAll, syncNow } from "../helpers/sync.js";
import type { SimVm } from "../../src/azure/simulator/index.js";

const GAP = 30 * MINUTE; // UPDATE_DOMAIN_GAP's default
const ESTIMATE = 15 * MINUTE; // the operation length assumed before any has completed

let ctx: TestContext;
let idp: TestIdentityProvider;
/** Three VMs of one availability set in update domains 0, 1, 2, and two of no set; API ids by name. */
const ids: Record<string, string> = {};
let placed: SimVm[];

beforeAll(async () => {
  idp = await startTestIdentityProvider();
  ctx = await createTestContext({
    simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 30, scaleSetsPerSubscription: 0, seed: 31 } },
    auth: idp.setup(),
    token: await idp.app(ADMIN),
  });
  const plain = ctx.sim.vms().filter((vm) => !vm.availabilitySet);
  const rg = plain.find((vm) => plain.filter((o) => o.resourceGroup === vm.resourceGroup).length >= 3)!.resourceGroup;
  placed = plain.filter((vm) => vm.resourceGroup === rg).slice(0, 3);
  placed.forEach((vm, ud) => ctx.sim.setPlacement(vm.resourceId, { availabilitySet: "AS-WEB", platformUpdateDomain: ud }));
  const loose = plain.filter((vm) => !placed.includes(vm)).slice(0, 2);
  for (const vm of [...placed, ...loose]) ctx.sim.setMaintenance(vm.resourceId, selfServiceWindow(-DAY, 10 * DAY));
  await syncNow(ctx.http, { full: true });
  const listed = new Map((await listAll(ctx.http, "/v1/virtual-machines?limit=1000")).map((vm) => [vm.resourceId.toLowerCase(), vm.id]));
  [...placed, ...loose].forEach((vm, i) => (ids[["ud0", "ud1", "ud2", "loose0", "loose1"][i]] = listed.get(vm.resourceId.toLowerCase())!));
});
afterAll(async () => {
  await ctx?.close();
  await idp?.close();
});

async function call(method: "get" | "put" | "post" | "delete" | "patch", path: string, body?: object, headers: Record<string, string> = {}) {
  const req = ctx.http[method](path).set(headers);
  const res = await (body === undefined ? req : req.send(body));
  expectContract(res);
  return res;
}

describe("maintenance groups", () => {
  it("PUT creates (201, Location) then replaces (200); GET shows the members the selector picks; both audited", async () => {
    const created = await call("put", "/v1/maintenance-groups/web", { description: "Web tier", selector: { availabilitySet: "as-web" }, policy: { maxConcurrent: "50%", maxErrors: 0 } });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe("/v1/maintenance-groups/web");
    expect(created.body).toMatchObject({
      name: "web", description: "Web tier", selector: { availabilitySet: "as-web" }, policy: { maxConcurrent: "50%", maxErrors: 0, after: [] },
      members: 3, inFlight: 0, deferred: 0, held: 0, errorsSinceResume: 0, createdBy: expect.any(String),
    });
    const replaced = await call("put", "/v1/maintenance-groups/web", { selector: { availabilitySet: "AS-WEB" }, policy: { maxConcurrent: 1, updateDomainGap: "45m" } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ description: null, policy: { maxConcurrent: 1, updateDomainGap: "45m" }, members: 3 });
    expect((await call("get", "/v1/maintenance-groups/web")).body).toEqual(replaced.body);
    const audit = (await call("get", "/v1/audit-events?targetId=web")).body.value;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(["maintenance-group.replaced", "maintenance-group.created"]);
    expect(audit[0]).toMatchObject({ before: { description: "Web tier" }, after: { description: null } });
    // Its limits would change the projections below.
    expect((await call("delete", "/v1/maintenance-groups/web")).status).toBe(204);
  });

  it("lists in name order, a page at a time", async () => {
    for (const name of ["list-a", "list-b", "list-c"]) await call("put", `/v1/maintenance-groups/${name}`, { selector: { resourceGroup: "nowhere" } });
    const first = await call("get", "/v1/maintenance-groups?limit=2");
    const all = await listAll(ctx.http, "/v1/maintenance-groups?limit=2");
    expect(first.body.value).toHaveLength(2);
    expect(first.body.nextLink).toEqual(expect.stringContaining("cursor="));
    const names = all.map((g) => g.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(["list-a", "list-b", "list-c"]));
    expect(all.find((g) => g.name === "list-a")).toMatchObject({ members: 0 });
  });

  it("refuses policies it cannot keep, one problem code per mistake, pointing at the member", async () => {
    const put = (policy: object, name = "bad") => call("put", `/v1/maintenance-groups/${name}`, { selector: {}, policy });
    const cases: [object, number, string, string?][] = [
      [{ maxConcurrent: 0 }, 400, "validation-failed"],
      [{ maxConcurrent: "0%" }, 400, "invalid-group-policy", "/policy/maxConcurrent"],
      [{ maxErrors: "101%" }, 400, "invalid-group-policy", "/policy/maxErrors"],
      [{ updateDomainGap: "soon" }, 400, "validation-failed"],
      [{ after: ["bad"] }, 400, "invalid-group-policy", "/policy/after"],
      [{ after: ["no-such-group"] }, 422, "maintenance-group-unknown", "/policy/after"],
    ];
    for (const [policy, status, code, pointer] of cases) {
      const res = await put(policy);
      expect([JSON.stringify(policy), res.status, res.body.code, res.body.pointer]).toEqual([JSON.stringify(policy), status, code, pointer]);
    }
    expect((await call("get", "/v1/maintenance-groups/bad")).status).toBe(404);
  });

  it("refuses an `after` that goes round in a circle, and deleting a group others run after", async () => {
    await call("put", "/v1/maintenance-groups/ring-a", { selector: {} });
    await call("put", "/v1/maintenance-groups/ring-b", { selector: {}, policy: { after: ["ring-a"] } });
    const circle = await call("put", "/v1/maintenance-groups/ring-a", { selector: {}, policy: { after: ["ring-b"] } });
    expect([circle.status, circle.body.code]).toEqual([409, "maintenance-group-cycle"]);
    expect(circle.body.detail).toContain("ring-a → ring-b → ring-a");
    const blocked = await call("delete", "/v1/maintenance-groups/ring-a");
    expect([blocked.status, blocked.body.code]).toEqual([409, "maintenance-group-cycle"]);
    expect((await call("delete", "/v1/maintenance-groups/ring-b")).status).toBe(204);
    expect((await call("delete", "/v1/maintenance-groups/ring-a")).status).toBe(204);
    expect((await call("delete", "/v1/maintenance-groups/ring-a")).status).toBe(404);
    expect((await call("post", "/v1/maintenance-groups/ring-a/resume")).status).toBe(404);
  });

  it("resume counts errors afresh, audited", async () => {
    await call("put", "/v1/maintenance-groups/resumable", { selector: { resourceGroup: "nowhere" }, policy: { maxErrors: 0 } });
    const before = (await call("get", "/v1/maintenance-groups/resumable")).body;
    const resumed = await call("post", "/v1/maintenance-groups/resumable/resume");
    expect(resumed.status).toBe(200);
    expect(Date.parse(resumed.body.resumedAt)).toBeGreaterThan(Date.parse(before.resumedAt));
    const audit = (await call("get", "/v1/audit-events?targetId=resumable")).body.value;
    expect(audit[0]).toMatchObject({ action: "maintenance-group.resumed", after: { bookingsResumed: 0 } });
  });

  it("readers (unrestricted) read groups; only admins write; scoped readers cannot read selectors of every scope", async () => {
    const as = async (token: string, method: "get" | "put" | "post" | "delete", path: string, body?: object) => {
      const res = await ctx.anonymous[method](path).set("authorization", `Bearer ${token}`).send(body);
      expectContract(res);
      return res;
    };
    await call("put", "/v1/maintenance-groups/roles", { selector: {} });
    const reader = await idp.user(READER);
    expect((await as(reader, "get", "/v1/maintenance-groups/roles")).status).toBe(200);
    for (const token of [reader, await idp.user(BOOKER)]) {
      const res = await as(token, "put", "/v1/maintenance-groups/roles", { selector: {} });
      expect([res.status, res.body.requiredRole]).toEqual([403, "Maintenance.Admin"]);
      expect((await as(token, "post", "/v1/maintenance-groups/roles/resume")).status).toBe(403);
    }
    const oid = "5c0bed00-0000-4000-8000-0000000006c0";
    await ctx.http.post("/v1/scope-assignments").send({ principalId: oid, subscriptionId: "11111111-1111-4111-8111-111111111111" });
    expect((await as(await idp.user(READER, { oid }), "get", "/v1/maintenance-groups")).status).toBe(403);
    expect((await ctx.anonymous.get("/v1/maintenance-groups")).status).toBe(401);
  });
});

describe("plan preview and the deferred warning", () => {
  const book = (vm: string, startAt: string) => call("post", "/v1/bookings", { virtualMachineId: ids[vm], startAt });

  it("warns on create when an update domain of the set is booked at the same time, with the projected start; GET does not repeat a guess", async () => {
    const at = fromNow(2 * HOUR);
    const first = await book("ud0", at);
    expect(first.status).toBe(201);
    const codes = (b: { warnings: { code: string }[] }) => b.warnings.map((w) => w.code).filter((c) => c === "availability-set" || c === "deferred");
    expect(codes(first.body)).toEqual(["availability-set"]);
    const second = await book("ud1", at);
    expect(second.status).toBe(201);
    const deferred = second.body.warnings.find((w: { code: string }) => w.code === "deferred");
    expect(deferred).toMatchObject({ detail: expect.stringContaining("one update domain at a time") });
    // The first domain's operation (the 15-minute estimate), then the gap.
    expect(Date.parse(deferred.projectedStartAt) - Date.parse(at)).toBe(ESTIMATE + GAP);
    expect(second.body).toMatchObject({ state: "scheduled", deferredUntil: null, deferralReason: null });
    expect(codes((await call("get", `/v1/bookings/${second.body.id}`)).body)).toEqual(["availability-set"]);

    // Moved well after the first domain: no warning.
    const moved = await call("patch", `/v1/bookings/${second.body.id}`, { startAt: fromNow(5 * HOUR) }, { "if-match": second.headers.etag });
    expect(moved.status).toBe(200);
    expect(codes(moved.body)).toEqual(["availability-set"]);

    // The preview projects both, and a hypothetical third domain after them; nothing is written.
    const count = async () => (await ctx.database.db.pool.query(`SELECT count(*)::int AS n FROM bookings`)).rows[0].n;
    const bookingsBefore = await count();
    const preview = await call("post", "/v1/plan-previews", { items: [{ virtualMachineId: ids.ud2, startAt: at }] });
    expect(preview.status).toBe(200);
    expect(preview.body.operationEstimateSeconds).toBe(ESTIMATE / 1000);
    const byVm = new Map(preview.body.value.map((p: { virtualMachineId: string }) => [p.virtualMachineId, p]));
    expect(byVm.get(ids.ud0)).toMatchObject({ bookingId: first.body.id, projectedStartAt: new Date(Date.parse(at)).toISOString(), deferralReasons: [], missesDeadline: false, held: false });
    expect(byVm.get(ids.ud2)).toMatchObject({
      bookingId: null, startAt: new Date(Date.parse(at)).toISOString(), projectedStartAt: new Date(Date.parse(at) + ESTIMATE + GAP).toISOString(),
      deferralReasons: [expect.stringContaining("one update domain at a time")],
    });
    expect(byVm.get(ids.ud1)).toMatchObject({ bookingId: second.body.id, projectedStartAt: moved.body.startAt });
    const starts = preview.body.value.map((p: { projectedStartAt: string }) => Date.parse(p.projectedStartAt));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(await count()).toBe(bookingsBefore);
  });

  it("says which would miss their self-service deadline", async () => {
    // Both domains 40 minutes before their windows close: the second would wait for the first (15 minutes) and the
    // gap (30), past the latest start (the end less BOOKING_END_MARGIN_SECONDS, 30 minutes).
    const end = Date.parse((await call("get", `/v1/virtual-machines/${ids.ud2}`)).body.maintenance.selfServiceWindow.end);
    const at = new Date(end - 40 * MINUTE).toISOString();
    const preview = await call("post", "/v1/plan-previews", { items: [{ virtualMachineId: ids.ud0, startAt: at }, { virtualMachineId: ids.ud2, startAt: at }] });
    const item = (vm: string) => preview.body.value.find((p: { virtualMachineId: string }) => p.virtualMachineId === vm);
    expect(item(ids.ud0)).toMatchObject({ missesDeadline: false, projectedStartAt: at });
    expect(item(ids.ud2)).toMatchObject({ missesDeadline: true, projectedStartAt: null, deferralReasons: expect.arrayContaining([expect.stringContaining("window closed")]) });
  });

  it("refuses hypothetical items of unknown VMs, pointing at the item", async () => {
    const res = await call("post", "/v1/plan-previews", { items: [{ virtualMachineId: ids.loose0, startAt: fromNow(HOUR) }, { virtualMachineId: "00000000-0000-4000-8000-000000000000", startAt: fromNow(HOUR) }] });
    expect([res.status, res.body.code, res.body.pointer]).toEqual([422, "virtual-machine-unknown", "/items/1/virtualMachineId"]);
  });

  it("a held booking can be cancelled but not moved", async () => {
    const { rows } = await ctx.database.db.pool.query<{ id: string }>(
      `INSERT INTO bookings (id, virtual_machine_id, start_at, state, state_reason, created_by) VALUES (gen_random_uuid(), $1, now() + interval '1 hour', 'held', 'maintenance group x is past its error budget', 'test') RETURNING id`,
      [ids.loose1],
    );
    const held = await call("get", `/v1/bookings/${rows[0].id}`);
    expect(held.body.state).toBe("held");
    const patched = await call("patch", `/v1/bookings/${rows[0].id}`, { startAt: fromNow(2 * HOUR) }, { "if-match": held.headers.etag });
    expect([patched.status, patched.body.code, patched.body.currentState]).toEqual([409, "booking-not-scheduled", "held"]);
    const cancelled = await call("post", `/v1/bookings/${rows[0].id}/cancel`);
    expect([cancelled.status, cancelled.body.state]).toEqual([200, "cancelled"]);
  });
});
