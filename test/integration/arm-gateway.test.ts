// The real @azure/arm-compute SDK against the ARM simulator: listing, offsets, errors, retries, LROs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArmError, type ArmVirtualMachine, type VmRef } from "../../src/azure/gateway.js";
import type { Simulator, SimVm } from "../../src/azure/simulator/index.js";
import { collect, gatewayFor, startTestSimulator } from "../helpers/simulator.js";

const refOf = (vm: SimVm): VmRef => ({
  subscriptionId: vm.subscriptionId, resourceGroup: vm.resourceGroup, name: vm.name, scaleSetName: vm.scaleSetName, scaleSetInstanceId: vm.instanceId,
});

const OPEN = {
  isCustomerInitiatedMaintenanceAllowed: true,
  preMaintenanceWindowStartTime: "2026-11-01T00:00:00Z",
  preMaintenanceWindowEndTime: "2026-12-06T00:00:00Z",
  lastOperationResultCode: "None" as const,
};

async function caught(p: Promise<unknown>): Promise<ArmError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ArmError);
  return err as ArmError;
}

// The list carrying whole instance views is not what Azure documents for statusOnly; this mode proves that such
// items are still mapped faithfully when a list does carry them.
describe("ARM gateway against the simulator (listing, when the list carries instance views)", () => {
  let sim: Simulator;
  beforeAll(async () => { sim = await startTestSimulator({ pageSize: 7, listIncludesInstanceView: true }); });
  afterAll(() => sim.close());

  it("returns every VM and scale-set instance of a subscription exactly once across pages", async () => {
    const gateway = gatewayFor(sim);
    const sub = sim.subscriptionIds[0];
    const listed = await collect(gateway.listVirtualMachines(sub));
    const expected = sim.vms().filter((vm) => vm.subscriptionId === sub);
    expect(listed).toHaveLength(expected.length);
    expect(new Set(listed.map((vm) => vm.resourceId.toLowerCase())).size).toBe(expected.length);
    expect(listed.map((vm) => vm.resourceId).sort()).toEqual(expected.map((vm) => vm.resourceId).sort());
    // 25 VMs / 7 per page = 4 pages; 1 scale-set list; 2 scale sets of 3 instances = 1 page each.
    expect(sim.requests({ operation: "listVirtualMachines", subscriptionId: sub })).toHaveLength(4);
    expect(sim.requests({ operation: "listScaleSetVMs", subscriptionId: sub })).toHaveLength(2);
    expect(gateway.requestCount()).toBe(4 + 1 + 2);

    const instance = listed.find((vm) => vm.scaleSetName !== null)!;
    const simInstance = expected.find((vm) => vm.resourceId === instance.resourceId)!;
    expect(instance.scaleSetInstanceId).toBe(simInstance.instanceId);
    expect(instance.name).toBe(`${simInstance.scaleSetName}_${simInstance.instanceId}`);
    expect(instance.instanceView?.platformUpdateDomain).toBe(simInstance.platformUpdateDomain);
    const plain = listed.find((vm) => vm.scaleSetName === null && vm.instanceView?.maintenance)!;
    const simPlain = expected.find((vm) => vm.resourceId === plain.resourceId)!;
    expect(plain.instanceView!.powerState).toBe(simPlain.powerState);
    expect(plain.instanceView!.maintenance!.customerInitiatedMaintenanceAllowed).toBe(simPlain.maintenance!.isCustomerInitiatedMaintenanceAllowed);
    expect(plain.instanceView!.maintenance!.selfServiceWindow.end!.getTime()).toBe(Date.parse(simPlain.maintenance!.preMaintenanceWindowEndTime!));
  });

  it("normalises offsets to the same UTC instant and maps missing fields to null", async () => {
    const vm = sim.vms().find((v) => v.subscriptionId === sim.subscriptionIds[1] && v.scaleSetName === null)!;
    sim.setMaintenance(vm.resourceId, {
      isCustomerInitiatedMaintenanceAllowed: true,
      preMaintenanceWindowStartTime: "2026-11-27T10:00:00-07:00",
      preMaintenanceWindowEndTime: "2027-01-01T10:00:00+05:30",
    });
    const listed = await collect(gatewayFor(sim).listVirtualMachines(vm.subscriptionId));
    const m = listed.find((v) => v.resourceId === vm.resourceId)!.instanceView!.maintenance!;
    expect(m.selfServiceWindow.start!.toISOString()).toBe("2026-11-27T17:00:00.000Z");
    expect(m.selfServiceWindow.end!.toISOString()).toBe("2027-01-01T04:30:00.000Z");
    expect(m.scheduledWindow).toEqual({ start: null, end: null });
    expect(m.lastOperationResultCode).toBeNull();
    expect(m.lastOperationMessage).toBeNull();
  });
});

describe("ARM gateway with the documented status-only list (the simulator's default)", () => {
  let sim: Simulator;
  beforeAll(async () => { sim = await startTestSimulator(); });
  afterAll(() => sim.close());

  it("yields instanceView null but the power state for plain VMs, and reads instance views per VM and per scale-set VM", async () => {
    const gateway = gatewayFor(sim);
    const sub = sim.subscriptionIds[0];
    const listed: ArmVirtualMachine[] = await collect(gateway.listVirtualMachines(sub));
    const plain = listed.filter((vm) => vm.scaleSetName === null);
    expect(plain.length).toBe(25);
    expect(plain.every((vm) => vm.instanceView === null)).toBe(true);
    const powerOf = new Map(sim.vms().map((vm) => [vm.resourceId, vm.powerState]));
    expect(plain.every((vm) => vm.powerState === powerOf.get(vm.resourceId))).toBe(true);

    const withMaintenance = sim.vms().find((vm) => vm.subscriptionId === sub && vm.scaleSetName === null && vm.maintenance)!;
    const facts = await gateway.getInstanceView(refOf(withMaintenance));
    expect(facts.maintenance?.customerInitiatedMaintenanceAllowed).toBe(withMaintenance.maintenance!.isCustomerInitiatedMaintenanceAllowed);
    expect(facts.platformFaultDomain).toBe(withMaintenance.platformFaultDomain);

    const instance = sim.vms().find((vm) => vm.subscriptionId === sub && vm.scaleSetName !== null)!;
    sim.setMaintenance(instance.resourceId, { ...OPEN, lastOperationResultCode: "RetryLater", lastOperationMessage: "try later" });
    const ssFacts = await gateway.getInstanceView(refOf(instance));
    expect(ssFacts.maintenance?.lastOperationResultCode).toBe("RetryLater");
    expect(ssFacts.maintenance?.lastOperationMessage).toBe("try later");
    expect(ssFacts.powerState).toBe(instance.powerState);
    expect(sim.requests({ operation: "getScaleSetVMInstanceView" })).toHaveLength(1);

    const none = sim.vms().find((vm) => vm.subscriptionId === sub && vm.scaleSetName === null && !vm.maintenance)!;
    expect((await gateway.getInstanceView(refOf(none))).maintenance).toBeNull();
  });

  it("translates an unknown VM into a non-retryable 404 ArmError", async () => {
    const vm = sim.vms()[0];
    const err = await caught(gatewayFor(sim).getInstanceView({ ...refOf(vm), name: "does-not-exist" }));
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe("ResourceNotFound");
    expect(err.retryable).toBe(false);
  });
});
