// GET /v1/virtual-machines: filters, pagination and the maintenance classes, checked against the domain's own
// rules (isPending / isSelfServiceOpen in src/domain/maintenance.ts) on the same data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPending, isSelfServiceOpen, type MaintenanceStatus } from "../../src/domain/maintenance.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { expectContract } from "../helpers/openapi.js";
import { listAll, syncNow } from "../helpers/sync.js";

type Vm = Record<string, any>;

function statusOf(vm: Vm): MaintenanceStatus | null {
  const m = vm.maintenance;
  if (!m) return null;
  const d = (s: string | null) => (s ? new Date(s) : null);
  return {
    customerInitiatedMaintenanceAllowed: m.customerInitiatedMaintenanceAllowed,
    selfServiceWindow: { start: d(m.selfServiceWindow.start), end: d(m.selfServiceWindow.end) },
    scheduledWindow: { start: d(m.scheduledWindow.start), end: d(m.scheduledWindow.end) },
    lastOperationResultCode: m.lastOperationResultCode,
    lastOperationMessage: m.lastOperationMessage,
  };
}

describe("GET /v1/virtual-machines", () => {
  let ctx: TestContext;
  let all: Vm[];
  const ids = (vms: Vm[]) => vms.map((v) => v.id).sort();

  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 2, vmsPerSubscription: 60, scaleSetsPerSubscription: 1, instancesPerScaleSet: 4, seed: 3 } } });
    await syncNow(ctx.http);
    all = await listAll(ctx.http, "/v1/virtual-machines?limit=1000");
  });
  afterAll(() => ctx?.close());

  it("pages through every VM once, in resource-id order, following nextLink", async () => {
    expect(all).toHaveLength(ctx.sim.vms().length);
    const paged = await listAll(ctx.http, "/v1/virtual-machines?limit=7");
    expect(paged.map((v) => v.id)).toEqual(all.map((v) => v.id));
    const keys = paged.map((v) => v.resourceId.toLowerCase());
    expect(keys).toEqual([...keys].sort());
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("filters by maintenance class exactly as the domain rules classify the same VMs", async () => {
    const now = new Date();
    const expected = {
      none: all.filter((v) => v.maintenance === null),
      pending: all.filter((v) => isPending(statusOf(v), now)),
      "self-service-open": all.filter((v) => isSelfServiceOpen(statusOf(v), now)),
    };
    for (const [filter, vms] of Object.entries(expected)) {
      expect(vms.length, `the fleet has no ${filter} VM to test with`).toBeGreaterThan(0);
      const listed = await listAll(ctx.http, `/v1/virtual-machines?limit=1000&maintenance=${filter}`);
      expect(ids(listed), filter).toEqual(ids(vms));
    }
  });

  it("unbooked: pending VMs without an active booking, and again once the booking is cancelled", async () => {
    const now = new Date();
    const pending = all.filter((v) => isPending(statusOf(v), now));
    const target = all.find((v) => isSelfServiceOpen(statusOf(v), now))!;
    const created = await ctx.http.post("/v1/bookings").send({ virtualMachineId: target.id, startAt: new Date(now.getTime() + 3_600_000).toISOString() });
    expect(created.status).toBe(201);
    const listed = await listAll(ctx.http, "/v1/virtual-machines?limit=1000&maintenance=unbooked");
    expect(ids(listed)).toEqual(ids(pending.filter((v) => v.id !== target.id)));
    expect((await ctx.http.post(`/v1/bookings/${created.body.id}/cancel`)).status).toBe(200);
    expect(ids(await listAll(ctx.http, "/v1/virtual-machines?limit=1000&maintenance=unbooked"))).toEqual(ids(pending));
  });

  it("a VM whose active booking is running with an attempt reads as 200, attempt included", async () => {
    const now = new Date();
    const target = all.filter((v) => isSelfServiceOpen(statusOf(v), now))[1];
    const created = await ctx.http.post("/v1/bookings").send({ virtualMachineId: target.id, startAt: new Date(now.getTime() + 3_600_000).toISOString() });
    expect(created.status).toBe(201);
    const pool = ctx.database.db.pool;
    await pool.query(`UPDATE bookings SET state = 'running' WHERE id = $1`, [created.body.id]);
    await pool.query(`INSERT INTO execution_attempts (id, booking_id, number) VALUES (gen_random_uuid(), $1, 1)`, [created.body.id]);
    const res = await ctx.http.get(`/v1/virtual-machines/${target.id}`);
    expectContract(res);
    expect(res.status).toBe(200);
    expect(res.body.activeBooking).toMatchObject({ id: created.body.id, state: "running", attempts: [{ number: 1, outcome: null }] });
  });

  it("filters by subscription, resource group (case-insensitive) and name", async () => {
    const sample = all.find((v) => !v.scaleSet)!;
    const bySub = await listAll(ctx.http, `/v1/virtual-machines?limit=1000&subscriptionId=${sample.subscriptionId.toUpperCase()}`);
    expect(ids(bySub)).toEqual(ids(all.filter((v) => v.subscriptionId === sample.subscriptionId)));
    const byRg = await listAll(ctx.http, `/v1/virtual-machines?limit=1000&resourceGroup=${sample.resourceGroup.toUpperCase()}`);
    expect(ids(byRg)).toEqual(ids(all.filter((v) => v.resourceGroup.toLowerCase() === sample.resourceGroup.toLowerCase())));
    const part = sample.name.slice(1, 5).toUpperCase();
    const byName = await listAll(ctx.http, `/v1/virtual-machines?limit=1000&q=${encodeURIComponent(part)}`);
    expect(ids(byName)).toEqual(ids(all.filter((v) => v.name.toLowerCase().includes(part.toLowerCase()))));
    expect(byName.length).toBeGreaterThan(0);
    const [key, value] = Object.entries(sample.tags as Record<string, string>)[0];
    const byTag = await listAll(ctx.http, `/v1/virtual-machines?limit=1000&tag=${encodeURIComponent(`${key}=${value}`)}`);
    expect(ids(byTag)).toEqual(ids(all.filter((v) => v.tags[key] === value)));
    expect(byTag.length).toBeLessThan(all.length);
  });

  it("treats LIKE wildcards in q as plain text", async () => {
    const res = await ctx.http.get("/v1/virtual-machines?q=%25");
    expectContract(res);
    expect(res.body.value).toEqual([]);
    // `_` is a LIKE wildcard too; scale-set instance names (`web_3`) contain it literally.
    const underscore = await listAll(ctx.http, "/v1/virtual-machines?limit=1000&q=_");
    expect(ids(underscore)).toEqual(ids(all.filter((v) => v.name.includes("_"))));
    expect(underscore.length).toBeGreaterThan(0);
    expect(underscore.length).toBeLessThan(all.length);
  });

  it("refuses a tampered cursor and an oversized page", async () => {
    const cursor = await ctx.http.get("/v1/virtual-machines?cursor=bm90LWEtY3Vyc29y");
    expectContract(cursor);
    expect(cursor.status).toBe(400);
    expect(cursor.body.code).toBe("invalid-cursor");
    const limit = await ctx.http.get("/v1/virtual-machines?limit=1001");
    expectContract(limit);
    expect(limit.status).toBe(400);
  });
});
