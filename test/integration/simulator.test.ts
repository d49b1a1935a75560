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
