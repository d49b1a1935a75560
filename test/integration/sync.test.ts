// The sync end to end: supertest → Fastify → sync service → real @azure/arm-compute SDK → ARM simulator, and
// real Postgres underneath.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestSync } from "../../src/services/sync.js";
import { createDb } from "../../src/db/client.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { expectContract } from "../helpers/openapi.js";
import { listAll, syncNow, waitForRun } from "../helpers/sync.js";

const fleet = { subscriptions: 2, vmsPerSubscription: 30, scaleSetsPerSubscription: 1, instancesPerScaleSet: 3, seed: 7 };

describe("sync", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet, pageSize: 7 } });
  });
  afterAll(() => ctx?.close());

  const vmByResourceId = async (resourceId: string) => {
    const all = await listAll(ctx.http, "/v1/virtual-machines?limit=1000&includeGone=true");
    const found = all.find((vm) => vm.resourceId.toLowerCase() === resourceId.toLowerCase());
    if (!found) throw new Error(`${resourceId} not synced`);
    const res = await ctx.http.get(`/v1/virtual-machines/${found.id}`);
    expectContract(res);
    return res.body;
  };
  const plainVm = (n: number) => ctx.sim.vms().filter((vm) => !vm.scaleSetName && vm.subscriptionId === ctx.sim.subscriptionIds[0])[n];

  it("syncs every VM and scale-set instance of a multi-page fleet", async () => {
    const run = await syncNow(ctx.http);
    const expected = ctx.sim.vms();
    expect(run).toMatchObject({ status: "succeeded", trigger: "api", vmsSeen: expected.length, vmsGone: 0, errors: [] });
    expect(run.windowsNew).toBe(expected.filter((vm) => vm.maintenance).length);
    const listed = await listAll(ctx.http, "/v1/virtual-machines?limit=1000");
    expect(listed.map((vm) => vm.resourceId).sort()).toEqual(expected.map((vm) => vm.resourceId).sort());
    // 30 plain VMs per subscription at 7 per page → 5 pages each
    for (const sub of ctx.sim.subscriptionIds) expect(ctx.sim.requests({ operation: "listVirtualMachines", subscriptionId: sub }).length).toBe(5);
    expect(run.armRequests).toBeGreaterThanOrEqual(10);
    const instance = listed.find((vm) => vm.scaleSet);
    expect(instance?.scaleSet).toMatchObject({ name: expect.any(String), instanceId: expect.any(String) });
  });

  it("stores times sent with offsets as UTC", async () => {
    const vm = plainVm(0);
    ctx.sim.setMaintenance(vm.resourceId, {
      isCustomerInitiatedMaintenanceAllowed: true,
      preMaintenanceWindowStartTime: "2026-11-20T17:00:00-07:00",
      preMaintenanceWindowEndTime: "2026-12-31T08:30:00+05:30",
      maintenanceWindowStartTime: "2027-01-02T00:00:00Z",
      maintenanceWindowEndTime: "2027-01-03T00:00:00Z",
      lastOperationResultCode: "None",
    });
    await syncNow(ctx.http);
    const body = await vmByResourceId(vm.resourceId);
    expect(body.maintenance.selfServiceWindow).toEqual({ start: "2026-11-21T00:00:00.000Z", end: "2026-12-31T03:00:00.000Z" });
    expect(body.maintenance.scheduledWindow).toEqual({ start: "2027-01-02T00:00:00.000Z", end: "2027-01-03T00:00:00.000Z" });
  });

  it("records a window that appears, moves and clears", async () => {
    const vm = ctx.sim.vms().find((v) => !v.scaleSetName && !v.maintenance)!;
    const window = (start: string, end: string) => ({
      isCustomerInitiatedMaintenanceAllowed: true,
      preMaintenanceWindowStartTime: start,
      preMaintenanceWindowEndTime: end,
      maintenanceWindowStartTime: "2027-02-01T00:00:00Z",
      maintenanceWindowEndTime: "2027-02-02T00:00:00Z",
      lastOperationResultCode: "None" as const,
    });
    ctx.sim.setMaintenance(vm.resourceId, window("2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"));
    // The VM had no maintenance when last read, so only a full sweep (or its sweep slot) reads it again.
    const appeared = await syncNow(ctx.http, { full: true });
    expect(appeared).toMatchObject({ full: true, windowsNew: 1, instanceViewsSkipped: 0 });
    ctx.sim.setMaintenance(vm.resourceId, window("2026-12-05T00:00:00Z", "2027-01-05T00:00:00Z"));
    const moved = await syncNow(ctx.http);
    expect(moved.windowsChanged).toBe(1);
    ctx.sim.setMaintenance(vm.resourceId, null);
    const cleared = await syncNow(ctx.http);
    expect(cleared.windowsCleared).toBe(1);

    const body = await vmByResourceId(vm.resourceId);
    expect(body.maintenance).toBeNull();
    expect(body.windowHistory.map((h: any) => h.change)).toEqual(["cleared", "moved", "appeared"]);
    expect(body.windowHistory[1].maintenance.selfServiceWindow.start).toBe("2026-12-05T00:00:00.000Z");
    expect(body.windowHistory[2].syncRunId).toBe(appeared.id);
    expect(body.windowHistory[0].maintenance).toBeNull();
  });

  it("an unchanged fleet records no history", async () => {
    const run = await syncNow(ctx.http);
    expect(run).toMatchObject({ windowsNew: 0, windowsChanged: 0, windowsCleared: 0, vmsGone: 0 });
  });

  it("marks a VM that is no longer listed as gone, and keeps it", async () => {
    const vm = plainVm(3);
    ctx.sim.removeVm(vm.resourceId);
    const run = await syncNow(ctx.http);
    expect(run.vmsGone).toBe(1);
    const body = await vmByResourceId(vm.resourceId);
    expect(body.goneSince).toEqual(expect.any(String));
    const visible = await listAll(ctx.http, "/v1/virtual-machines?limit=1000");
    expect(visible.some((v) => v.id === body.id)).toBe(false);
  });

  it("waits out a 429 with Retry-After", async () => {
    const sub = ctx.sim.subscriptionIds[0];
    ctx.sim.reset();
    ctx.sim.injectFault({ operation: "listVirtualMachines", subscriptionId: sub, status: 429, code: "TooManyRequests", retryAfterSeconds: 1, times: 1 });
    const started = Date.now();
    const run = await syncNow(ctx.http);
    expect(run.status).toBe("succeeded");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const statuses = ctx.sim.requests({ operation: "listVirtualMachines", subscriptionId: sub }).map((r) => r.status);
    expect(statuses[0]).toBe(429);
    expect(statuses.slice(1).every((s) => s === 200)).toBe(true);
  });

  it("records a failing subscription and still syncs the others", async () => {
    const [ok, failing] = ctx.sim.subscriptionIds;
    const goneBefore = (await listAll(ctx.http, "/v1/virtual-machines?limit=1000")).filter((v) => v.subscriptionId === failing).length;
    ctx.sim.injectFault({ operation: "listVirtualMachines", subscriptionId: failing, status: 403, code: "AuthorizationFailed", message: "no access", times: 1 });
    const vm = ctx.sim.vms().find((v) => v.subscriptionId === ok && !v.scaleSetName && !v.maintenance)!;
    ctx.sim.setMaintenance(vm.resourceId, { isCustomerInitiatedMaintenanceAllowed: false, preMaintenanceWindowStartTime: "2027-03-01T00:00:00Z", preMaintenanceWindowEndTime: "2027-04-01T00:00:00Z" });
    const run = await syncNow(ctx.http, { full: true });
    expect(run.status).toBe("partial");
    // The SDK's pager keeps ARM's code but not its message (it throws "Pagination failed with … 403").
    expect(run.errors).toEqual([{ subscriptionId: failing, code: "AuthorizationFailed", message: expect.stringContaining("403") }]);
    expect(run.windowsNew).toBe(1);
    expect(run.vmsGone).toBe(0); // the failed subscription's VMs are not marked gone
    const still = (await listAll(ctx.http, "/v1/virtual-machines?limit=1000")).filter((v) => v.subscriptionId === failing).length;
    expect(still).toBe(goneBefore);
  });
});

describe("concurrent sync requests", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    // Latency keeps the run going long enough for the requests to overlap.
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 20 }, pageSize: 5, latencyMs: 100 } });
  });
  afterAll(() => ctx?.close());

  it("two API requests get the same run", async () => {
    const [a, b] = await Promise.all([ctx.http.post("/v1/sync-runs"), ctx.http.post("/v1/sync-runs")]);
    expectContract(a);
    expectContract(b);
    expect(a.body.id).toBe(b.body.id);
    expect(a.headers.location).toBe(`/v1/sync-runs/${a.body.id}`);
    expect((await waitForRun(ctx.http, a.headers.location)).status).toBe("succeeded");
  });

  it("two replicas (separate pools) run one sync between them", async () => {
    const other = createDb(ctx.database.url, { max: 2 });
    try {
      const [mine, theirs] = await Promise.all([
        requestSync(ctx.sync, "api"),
        requestSync({ ...ctx.sync, pool: other.pool }, "schedule"),
      ]);
      expect(mine.run.id).toBe(theirs.run.id);
      expect([mine.started, theirs.started].sort()).toEqual([false, true]);
      await Promise.all([mine.finished, theirs.finished]);
      const runs = await ctx.http.get("/v1/sync-runs");
      expectContract(runs);
      expect(runs.body.value.filter((r: any) => r.status === "running")).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
