// The simulator's own contract: deterministic fleet, ARM wire shapes, LRO protocol and the HTTP control API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/azure/simulator/index.js";
import { armRequest } from "../helpers/simulator.js";

const NOW = new Date("2026-11-20T08:30:00Z");
const V = "api-version=2026-04-01";

describe("demo fleet", () => {
  let sim: Simulator;
  beforeAll(async () => { sim = await startSimulator({ now: () => NOW }); });
  afterAll(() => sim.close());

  it("is deterministic and covers every maintenance state relative to the clock", async () => {
    const again = await startSimulator({ now: () => NOW });
    try {
      expect(again.vms()).toEqual(sim.vms());
      expect(again.subscriptionIds).toEqual(sim.subscriptionIds);
    } finally {
      await again.close();
    }
    const vms = sim.vms();
    expect(sim.subscriptionIds).toHaveLength(3);
    expect(vms.length).toBeGreaterThanOrEqual(300);
    expect(vms.some((v) => v.scaleSetName !== null)).toBe(true);
    const m = vms.flatMap((v) => (v.maintenance ? [v.maintenance] : []));
    const start = (x: (typeof m)[number]) => Date.parse(x.preMaintenanceWindowStartTime!);
    const end = (x: (typeof m)[number]) => Date.parse(x.preMaintenanceWindowEndTime!);
    const now = NOW.getTime();
    expect(m.length).toBeLessThan(vms.length / 2); // most VMs have none
    expect(m.some((x) => x.isCustomerInitiatedMaintenanceAllowed && start(x) <= now && end(x) > now)).toBe(true);
    expect(m.some((x) => !x.isCustomerInitiatedMaintenanceAllowed && start(x) > now)).toBe(true);
    expect(m.some((x) => end(x) < now && Date.parse(x.maintenanceWindowStartTime!) > now)).toBe(true);
    for (const code of ["RetryLater", "MaintenanceAborted", "MaintenanceCompleted"]) {
      expect(m.some((x) => x.lastOperationResultCode === code)).toBe(true);
    }
    const days = (end(m[0]) - start(m[0])) / 86_400_000;
    expect(days).toBe(35);
    const offsets = m.map((x) => x.preMaintenanceWindowStartTime!);
    expect(offsets.some((t) => /-07:00$/.test(t))).toBe(true);
    expect(offsets.every((t) => !Number.isNaN(Date.parse(t)))).toBe(true);
  });

  it("scales to 10,000 VMs over 4 subscriptions", async () => {
    const big = await startSimulator({ fleet: { subscriptions: 4, vmsPerSubscription: 2500 } });
    try {
      expect(big.vms()).toHaveLength(10_000);
      const res = await armRequest(big, "GET", `/subscriptions/${big.subscriptionIds[3]}/providers/Microsoft.Compute/virtualMachines?${V}&statusOnly=true`);
      const body = res.body as { value: unknown[]; nextLink: string };
      expect(body.value).toHaveLength(100);
      expect(body.nextLink).toMatch(new RegExp(`^${big.url}/subscriptions/.*\\$skiptoken=100`));
    } finally {
      await big.close();
    }
  });
});

describe("wire protocol", () => {
  let sim: Simulator;
  beforeAll(async () => { sim = await startSimulator({ now: () => NOW, operationDurationMs: 40, pageSize: 50 }); });
  afterAll(() => sim.close());

  it("lists VMs with ARM's resource shape and follows case-insensitive paths", async () => {
    const sub = sim.subscriptionIds[0];
    const res = await armRequest(sim, "GET", `/SUBSCRIPTIONS/${sub}/providers/microsoft.compute/VIRTUALMACHINES?${V}&statusOnly=true`);
    expect(res.status).toBe(200);
    const { value, nextLink } = res.body as { value: Record<string, any>[]; nextLink: string };
    expect(value).toHaveLength(50);
    expect(value[0]).toMatchObject({ type: "Microsoft.Compute/virtualMachines", properties: { provisioningState: "Succeeded" } });
    expect(value[0].properties.instanceView.statuses.map((s: { code: string }) => s.code.split("/")[0])).toEqual(["ProvisioningState", "PowerState"]);
    const next = await armRequest(sim, "GET", nextLink);
    expect((next.body as { nextLink?: string }).nextLink).toBeUndefined();
    expect(sim.requests({ operation: "listVirtualMachines" })).toHaveLength(2);
  });

  it("runs the performMaintenance LRO protocol (202, status document, Location 202 then empty 200)", async () => {
    const [a, b] = sim.vms().filter((v) => v.scaleSetName !== null);
    const ssId = a.resourceId.replace(/\/virtualMachines\/[^/]+$/, "");
    for (const v of [a, b]) sim.setMaintenance(v.resourceId, { isCustomerInitiatedMaintenanceAllowed: true });
    const started = await armRequest(sim, "POST", `${ssId}/performMaintenance?${V}`, { body: { instanceIds: [a.instanceId, b.instanceId] } });
    expect(started.status).toBe(202);
    const statusUrl = String(started.headers["azure-asyncoperation"]);
    expect(statusUrl).toMatch(/\/providers\/Microsoft\.Compute\/locations\/[a-z0-9]+\/operations\/[0-9a-f-]+\?api-version=2026-04-01$/);
    expect(started.headers.location).toBe(`${statusUrl}&monitor=true`);
    const running = await armRequest(sim, "GET", statusUrl);
    expect(running.body).toMatchObject({ status: "InProgress", startTime: NOW.toISOString() });
    expect((await armRequest(sim, "GET", String(started.headers.location))).status).toBe(202);
    expect(sim.vms().find((v) => v.resourceId === a.resourceId)?.maintenance?.isCustomerInitiatedMaintenanceAllowed).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    expect((await armRequest(sim, "GET", statusUrl)).body).toMatchObject({ status: "Succeeded", endTime: NOW.toISOString() });
    const done = await armRequest(sim, "GET", String(started.headers.location));
    expect(done).toMatchObject({ status: 200, body: null });
    for (const v of [a, b]) expect(sim.vms().find((x) => x.resourceId === v.resourceId)?.maintenance?.lastOperationResultCode).toBe("MaintenanceCompleted");
  });

  it("answers 404 CloudErrors for unknown VMs and routes", async () => {
    const vm = sim.vms()[0];
    const missing = await armRequest(sim, "GET", `${vm.resourceId}x/instanceView?${V}`);
    expect(missing).toMatchObject({ status: 404, body: { error: { code: "ResourceNotFound" } } });
    const route = await armRequest(sim, "GET", `/subscriptions/${vm.subscriptionId}/providers/Microsoft.Nope/things?${V}`);
    expect(route).toMatchObject({ status: 404, body: { error: { code: "InvalidResourceType" } } });
  });

  it("exposes the control API over HTTP", async () => {
    const vm = sim.vms().find((v) => v.scaleSetName === null)!;
    sim.reset();
    expect((await armRequest(sim, "PUT", "/_simulator/vms/maintenance", { body: { resourceId: vm.resourceId, maintenance: { isCustomerInitiatedMaintenanceAllowed: true } } })).status).toBe(204);
    expect(sim.vms().find((v) => v.resourceId === vm.resourceId)?.maintenance).toEqual({ isCustomerInitiatedMaintenanceAllowed: true });
    await armRequest(sim, "POST", "/_simulator/faults", { body: { operation: "getInstanceView", status: 503, retryAfterSeconds: 2 } });
    const faulted = await armRequest(sim, "GET", `${vm.resourceId}/instanceView?${V}`);
    expect(faulted).toMatchObject({ status: 503, headers: { "retry-after": "2" }, body: { error: { code: "ServiceUnavailable" } } });
    const log = await armRequest(sim, "GET", `/_simulator/requests?operation=getInstanceView&subscriptionId=${vm.subscriptionId}`);
    expect(log.body).toMatchObject([{ method: "GET", operation: "getInstanceView", status: 503, subscriptionId: vm.subscriptionId }]);
    expect((await armRequest(sim, "DELETE", `/_simulator/vms?resourceId=${encodeURIComponent(vm.resourceId)}`)).status).toBe(204);
    expect(sim.vms().some((v) => v.resourceId === vm.resourceId)).toBe(false);
  });
});

describe("Azure over time (simulator clock)", () => {
  const DAY_MS = 86_400_000;
  let clock = NOW.getTime();
  let sim: Simulator;
  const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
  const statusOf = (id: string) => sim.vms().find((v) => v.resourceId === id)!.maintenance;
  beforeAll(async () => {
    sim = await startSimulator({ now: () => new Date(clock), fleet: { subscriptions: 1, vmsPerSubscription: 6, seed: 9 }, completedRetentionMs: 2 * DAY_MS });
  });
  afterAll(() => sim.close());

  it("follows the self-service window with the allowed flag, then maintains the VM itself in the scheduled window", () => {
    const [vm, skipped] = sim.vms();
    const plan = {
      isCustomerInitiatedMaintenanceAllowed: false, preMaintenanceWindowStartTime: at(DAY_MS), preMaintenanceWindowEndTime: at(3 * DAY_MS),
      maintenanceWindowStartTime: at(4 * DAY_MS), maintenanceWindowEndTime: at(4 * DAY_MS + 8 * 3_600_000), lastOperationResultCode: "None" as const,
    };
    sim.setMaintenance(vm.resourceId, plan);
    sim.setMaintenance(skipped.resourceId, { ...plan, lastOperationResultCode: "MaintenanceAborted", lastOperationMessage: "failed" });
    expect(statusOf(vm.resourceId)?.isCustomerInitiatedMaintenanceAllowed).toBe(false);
    clock = NOW.getTime() + DAY_MS; // the window opens
    expect(statusOf(vm.resourceId)?.isCustomerInitiatedMaintenanceAllowed).toBe(true);
    clock = NOW.getTime() + 3 * DAY_MS; // ... and ends
    expect(statusOf(vm.resourceId)?.isCustomerInitiatedMaintenanceAllowed).toBe(false);
    clock = NOW.getTime() + 4 * DAY_MS; // the scheduled window: Azure maintains it, but not a skipped VM
    expect(statusOf(vm.resourceId)).toMatchObject({ lastOperationResultCode: "MaintenanceCompleted", isCustomerInitiatedMaintenanceAllowed: false });
    expect(statusOf(skipped.resourceId)?.lastOperationResultCode).toBe("MaintenanceAborted");
    clock = NOW.getTime() + 6 * DAY_MS; // after the retention, the completed status is gone
    expect(statusOf(vm.resourceId)).toBeNull();
    expect(statusOf(skipped.resourceId)).not.toBeNull();
  });

  it("plays a scenario: a window announced, moved, cancelled; a VM deallocated and started again; a fault", async () => {
    clock = NOW.getTime();
    const [a, b] = sim.vms().slice(2);
    sim.loadScenario({
      events: [
        { at: "0s", vm: a.name, action: "set-maintenance", maintenance: { isCustomerInitiatedMaintenanceAllowed: true, preMaintenanceWindowStartTime: "-1h", preMaintenanceWindowEndTime: "+35d", offsetMinutes: -420 } },
        { at: "0s", vm: b.resourceId, action: "set-maintenance", maintenance: { isCustomerInitiatedMaintenanceAllowed: true, preMaintenanceWindowStartTime: "-1h", preMaintenanceWindowEndTime: "+35d" } },
        { at: "1h", vm: a.name, action: "set-maintenance", maintenance: { isCustomerInitiatedMaintenanceAllowed: false, preMaintenanceWindowStartTime: "+2d", preMaintenanceWindowEndTime: "+37d" } },
        { at: "2h", vm: a.name, action: "set-maintenance", maintenance: null },
        { at: "2h", vm: b.name, action: "deallocate" },
        { at: "3h", vm: b.name, action: "start" },
        { at: "3h", action: "fault", fault: { operation: "getInstanceView", status: 503 } },
      ],
    });
    expect(statusOf(a.resourceId)?.preMaintenanceWindowStartTime).toBe("2026-11-20T00:30:00-07:00"); // NOW − 1 h, in −07:00
    clock += 3_600_000;
    expect(statusOf(a.resourceId)?.preMaintenanceWindowStartTime).toBe("2026-11-22T09:30:00Z");
    clock += 3_600_000;
    expect(statusOf(a.resourceId)).toBeNull();
    expect(sim.vms().find((v) => v.resourceId === b.resourceId)).toMatchObject({ powerState: "deallocated", maintenance: { isCustomerInitiatedMaintenanceAllowed: true } });
    clock += 3_600_000;
    expect(sim.vms().find((v) => v.resourceId === b.resourceId)).toMatchObject({ powerState: "running", maintenance: null });
    expect((await armRequest(sim, "GET", `${a.resourceId}/instanceView?${V}`)).status).toBe(503);
    expect(sim.scenarioProgress()).toEqual({ applied: 7, pending: 0 });
  });

  it("refuses a scenario that names no VM or has no time, over the control API too", async () => {
    expect(() => sim.loadScenario({ events: [{ at: "1h", vm: "no-such-vm", action: "remove" }] })).toThrow(/no VM is named no-such-vm/);
    const res = await armRequest(sim, "POST", "/_simulator/scenario", { body: { events: [{ at: "soon", vm: sim.vms()[0].name, action: "remove" }] } });
    expect(res).toMatchObject({ status: 400, body: { error: { code: "InvalidScenario", message: expect.stringContaining("events[0].at") } } });
  });
});

describe("Compute's own throttling", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ fleet: { subscriptions: 1, vmsPerSubscription: 2, seed: 2 }, computePolicies: [
      { name: "Microsoft.Compute/PerformMaintenanceVM3Min", operations: ["performMaintenance"], per: "resource", limit: 2, windowSeconds: 180 },
    ] });
  });
  afterAll(() => sim.close());

  it("names its policies on every answer and refuses past a limit with OperationNotAllowed and a long Retry-After, per VM", async () => {
    const [vm, other] = sim.vms();
    const perform = (v: typeof vm) => armRequest(sim, "POST", `${v.resourceId}/performMaintenance?${V}`);
    const replies = [await perform(vm), await perform(vm), await perform(vm)];
    expect(replies.map((r) => r.status)).toEqual([409, 409, 429]); // not allowed (no window), then throttled
    expect(replies.map((r) => r.headers["x-ms-ratelimit-remaining-resource"])).toEqual([
      "Microsoft.Compute/PerformMaintenanceVM3Min;1", "Microsoft.Compute/PerformMaintenanceVM3Min;0", "Microsoft.Compute/PerformMaintenanceVM3Min;0",
    ]);
    expect(Number(replies[2].headers["retry-after"])).toBeGreaterThan(170);
    expect(replies[2].body).toMatchObject({ error: { code: "OperationNotAllowed", details: [{ code: "TooManyRequests", target: "PerformMaintenanceVM3Min" }] } });
    expect((await perform(other)).status).toBe(409); // another VM's counter
    expect((await armRequest(sim, "GET", `${vm.resourceId}/instanceView?${V}`)).status).toBe(200); // reads are not covered
  });
});
