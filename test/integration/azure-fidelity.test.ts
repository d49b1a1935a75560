// Discovery against the simulator's default, which is what Azure documents: a status-only VM list carries power
// states, not maintenance, so the sync must read each VM's own instance view — and must never take "not read"
// for "none". Real SDK, real Postgres, the API through supertest.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimVm } from "../../src/azure/simulator/index.js";
import { requestSync } from "../../src/services/sync.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { expectContract } from "../helpers/openapi.js";
import { openMaintenance } from "../helpers/scheduler.js";
import { armRequest } from "../helpers/simulator.js";
import { listAll, syncNow } from "../helpers/sync.js";

const HOUR = 3_600_000;
const inAnHour = () => new Date(Date.now() + HOUR).toISOString();

describe("discovery with the documented status-only list", () => {
  let ctx: TestContext;
  let vms: SimVm[];
  const byName = async () => new Map((await listAll(ctx.http, "/v1/virtual-machines?limit=1000")).map((v) => [v.name, v]));
  const book = (virtualMachineId: string) => ctx.http.post("/v1/bookings").send({ virtualMachineId, startAt: inAnHour() });

  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 5, seed: 3 } } });
    vms = ctx.sim.vms();
    vms.forEach((vm, i) => ctx.sim.setMaintenance(vm.resourceId, i < 3 ? openMaintenance() : null));
  });
  afterAll(() => ctx?.close());

  it("5 VMs, 3 with windows: exactly those 3 show maintenance and can be booked", async () => {
    // The condition this is about: list items carry an instance view, without maintenanceRedeployStatus.
    const raw = await armRequest(ctx.sim, "GET", `/subscriptions/${ctx.sim.subscriptionIds[0]}/providers/Microsoft.Compute/virtualMachines?api-version=2026-04-01&statusOnly=true`);
    const items = (raw.body as { value: { properties: { instanceView?: Record<string, unknown> } }[] }).value;
    expect(items).toHaveLength(5);
    expect(items.every((v) => v.properties.instanceView?.statuses && !("maintenanceRedeployStatus" in v.properties.instanceView))).toBe(true);

    const run = await syncNow(ctx.http);
    expect(run).toMatchObject({ status: "succeeded", vmsSeen: 5, windowsNew: 3, instanceViewsRead: 5, instanceViewsSkipped: 0 });
    const withWindows = vms.slice(0, 3).map((v) => v.name).sort();
    expect((await listAll(ctx.http, "/v1/virtual-machines?maintenance=pending")).map((v) => v.name).sort()).toEqual(withWindows);
    expect((await listAll(ctx.http, "/v1/virtual-machines?maintenance=none")).map((v) => v.name).sort()).toEqual(vms.slice(3).map((v) => v.name).sort());
    expect(await listAll(ctx.http, "/v1/virtual-machines?maintenance=unknown")).toEqual([]);

    const listed = await byName();
    for (const [i, vm] of vms.entries()) {
      const res = await book(listed.get(vm.name)!.id);
      expectContract(res);
      expect(res.status, vm.name).toBe(i < 3 ? 201 : 422);
      if (i >= 3) expect(res.body.code).toBe("no-pending-maintenance");
    }
  });

  it("an instance view that cannot be read leaves the VM's maintenance and booking as they were", async () => {
    const vm = vms[0];
    const before = (await byName()).get(vm.name)!;
    // More failures than the SDK's retries: this sync cannot read the VM at all.
    ctx.sim.injectFault({ operation: "getInstanceView", resourceId: vm.resourceId, status: 500, times: 10 });
    const run = await syncNow(ctx.http);
    expect(run.status).toBe("partial");
    expect(run.errors).toEqual([{ subscriptionId: vm.subscriptionId, code: "InternalServerError", message: expect.stringContaining("1 instance view(s) could not be read") }]);
    const after = (await byName()).get(vm.name)!;
    expect(after.maintenance).toEqual(before.maintenance);
    expect(after.maintenanceReadAt).toBe(before.maintenanceReadAt);
    const bookings = await ctx.http.get(`/v1/bookings?virtualMachineId=${after.id}`);
    expect(bookings.body.value.map((b: { state: string }) => b.state)).toEqual(["scheduled"]);
    ctx.sim.reset();
  });

  it("re-reads VMs with pending maintenance or a booking every sync, the others only when their sweep slot comes", async () => {
    const listed = await byName();
    const run = await syncNow(ctx.http);
    // 3 pending (and booked); 2 without maintenance, read a moment ago.
    expect(run).toMatchObject({ status: "succeeded", instanceViewsRead: 3, instanceViewsSkipped: 2 });
    const quiet = vms[4];
    expect((await byName()).get(quiet.name)!.maintenanceReadAt).toBe(listed.get(quiet.name)!.maintenanceReadAt);

    // A wave reaches a VM that had none: the next ordinary sync does not look, a sync one sweep later does.
    ctx.sim.setMaintenance(quiet.resourceId, openMaintenance());
    expect((await syncNow(ctx.http)).windowsNew).toBe(0);
    const sweepLater = await requestSync({ ...ctx.sync, clock: () => new Date(Date.now() + 6 * HOUR + 60_000) }, "api");
    const swept = await sweepLater.finished;
    expect(swept).toMatchObject({ windowsNew: 1, instanceViewsRead: 5, instanceViewsSkipped: 0 });
    expect((await byName()).get(quiet.name)!.maintenance).not.toBeNull();
  });

  it("a full sweep reads every VM however fresh", async () => {
    const run = await syncNow(ctx.http, { full: true });
    expect(run).toMatchObject({ full: true, instanceViewsRead: 5, instanceViewsSkipped: 0 });
  });
});

describe("discovery when the list carries the instance view (optional simulator mode)", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 6, seed: 4 }, listIncludesInstanceView: true } });
  });
  afterAll(() => ctx?.close());

  it("takes maintenance from list items that carry it, and reads the VMs whose item lacks it", async () => {
    const vms = ctx.sim.vms();
    vms.forEach((vm, i) => ctx.sim.setMaintenance(vm.resourceId, i % 2 ? openMaintenance() : null));
    const run = await syncNow(ctx.http);
    expect(run).toMatchObject({ status: "succeeded", vmsSeen: 6, windowsNew: 3, instanceViewsRead: 3, instanceViewsSkipped: 0 });
    const read = ctx.sim.requests({ operation: "getInstanceView" }).map((r) => r.path.split("/instanceView")[0].toLowerCase());
    expect(read.sort()).toEqual(vms.filter((_, i) => i % 2 === 0).map((vm) => vm.resourceId.toLowerCase()).sort());
    expect(await listAll(ctx.http, "/v1/virtual-machines?maintenance=unknown")).toEqual([]);
    // Next time the list's status counts as read, and the VMs without maintenance wait for their sweep slot.
    expect(await syncNow(ctx.http)).toMatchObject({ instanceViewsRead: 0, instanceViewsSkipped: 3 });
  });
});

describe("waves from a scenario", () => {
  let ctx: TestContext;
  let simTime = Date.now();

  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 4, seed: 5 }, now: () => new Date(simTime) } });
    for (const vm of ctx.sim.vms()) ctx.sim.setMaintenance(vm.resourceId, openMaintenance());
    await syncNow(ctx.http);
  });
  afterAll(() => ctx?.close());

  it("a window moved by Azure invalidates its booking; a cleared one makes it not-needed", async () => {
    const [moved, cleared] = ctx.sim.vms();
    const listed = new Map((await listAll(ctx.http, "/v1/virtual-machines")).map((v) => [v.name, v]));
    const ids: string[] = [];
    for (const vm of [moved, cleared]) {
      const res = await ctx.http.post("/v1/bookings").send({ virtualMachineId: listed.get(vm.name)!.id, startAt: inAnHour() });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    ctx.sim.loadScenario({
      events: [
        { at: "1h", vm: moved.name, action: "set-maintenance", maintenance: { isCustomerInitiatedMaintenanceAllowed: false, preMaintenanceWindowStartTime: "+10d", preMaintenanceWindowEndTime: "+45d", lastOperationResultCode: "None" } },
        { at: "2h", vm: cleared.resourceId, action: "set-maintenance", maintenance: null },
      ],
    });
    const state = async (id: string) => (await ctx.http.get(`/v1/bookings/${id}`)).body;

    // The re-check runs right after each sync run has finished: wait for its decision.
    simTime += HOUR;
    await syncNow(ctx.http);
    await expect.poll(() => state(ids[0])).toMatchObject({ state: "invalidated", stateReason: expect.stringContaining("The self-service window moved to") });
    expect((await state(ids[1])).state).toBe("scheduled");
    expect(ctx.sim.scenarioProgress()).toEqual({ applied: 1, pending: 1 });

    simTime += HOUR;
    await syncNow(ctx.http);
    await expect.poll(() => state(ids[1])).toMatchObject({ state: "not-needed", stateReason: "Azure no longer plans maintenance for this virtual machine." });
  });
});
