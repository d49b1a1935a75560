// performMaintenance through the real SDK: accepted, refused, failed, and resumed from serialized state.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArmError, type VmRef } from "../../src/azure/gateway.js";
import type { Simulator, SimVm } from "../../src/azure/simulator/index.js";
import { gatewayFor, startTestSimulator } from "../helpers/simulator.js";

const refOf = (vm: SimVm): VmRef => ({
  subscriptionId: vm.subscriptionId, resourceGroup: vm.resourceGroup, name: vm.name, scaleSetName: vm.scaleSetName, scaleSetInstanceId: vm.instanceId,
});

const OPEN = {
  isCustomerInitiatedMaintenanceAllowed: true,
  preMaintenanceWindowStartTime: "2026-11-01T00:00:00-07:00",
  preMaintenanceWindowEndTime: "2026-12-06T00:00:00-07:00",
  lastOperationResultCode: "None" as const,
};

async function caught(p: Promise<unknown>): Promise<ArmError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ArmError);
  return err as ArmError;
}

describe("performMaintenance via the SDK gateway", () => {
  let sim: Simulator;
  let plain: SimVm[];
  let instances: SimVm[];
  beforeAll(async () => {
    sim = await startTestSimulator();
    plain = sim.vms().filter((vm) => vm.scaleSetName === null);
    instances = sim.vms().filter((vm) => vm.scaleSetName !== null);
  });
  afterAll(() => sim.close());

  it("starts, waits, and leaves the VM MaintenanceCompleted", async () => {
    const vm = plain[0];
    sim.setMaintenance(vm.resourceId, OPEN);
    const gateway = gatewayFor(sim);
    const op = await gateway.startMaintenance(refOf(vm));
    expect(op.state).toContain("operationLocation");
    expect(op.operationId).toMatch(/^[0-9a-f-]{36}$/);
    const during = await gateway.getInstanceView(refOf(vm));
    expect(during.maintenance?.customerInitiatedMaintenanceAllowed).toBe(false); // in progress
    await op.wait();
    const after = await gateway.getInstanceView(refOf(vm));
    expect(after.maintenance?.lastOperationResultCode).toBe("MaintenanceCompleted");
    expect(after.maintenance?.customerInitiatedMaintenanceAllowed).toBe(false);
    const ops = sim.requests({ operation: "getOperation" });
    expect(ops.length).toBeGreaterThanOrEqual(1);
    expect(ops.every((e) => e.path.includes(op.operationId!))).toBe(true);
    expect(sim.requests({ operation: "getOperationResult" }).at(-1)?.status).toBe(200);
  });

  it("refuses with 409 OperationNotAllowed when Azure does not allow it", async () => {
    const vm = plain[1];
    sim.setMaintenance(vm.resourceId, { ...OPEN, isCustomerInitiatedMaintenanceAllowed: false });
    const err = await caught(gatewayFor(sim).startMaintenance(refOf(vm)));
    expect(err.statusCode).toBe(409);
    expect(err.code).toBe("OperationNotAllowed");
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(vm.name);
    sim.setMaintenance(vm.resourceId, null);
    expect((await caught(gatewayFor(sim).startMaintenance(refOf(vm)))).code).toBe("OperationNotAllowed");
  });

  it("surfaces a Failed operation as ArmError with Azure's code, and the VM as MaintenanceAborted", async () => {
    const vm = plain[2];
    sim.setMaintenance(vm.resourceId, OPEN);
    sim.setOperationOutcome(vm.resourceId, { status: "Failed", code: "InternalOperationError", message: "Maintenance failed on the host." });
    const gateway = gatewayFor(sim);
    const op = await gateway.startMaintenance(refOf(vm));
    const err = await caught(op.wait());
    expect(err.code).toBe("InternalOperationError");
    expect(err.statusCode).toBeNull();
    expect(err.retryable).toBe(false);
    expect(err.cause).toBeInstanceOf(Error);
    const facts = await gateway.getInstanceView(refOf(vm));
    expect(facts.maintenance?.lastOperationResultCode).toBe("MaintenanceAborted");
    expect(facts.maintenance?.lastOperationMessage).toBe("Maintenance failed on the host.");
    expect(facts.maintenance?.customerInitiatedMaintenanceAllowed).toBe(true);
  });

  it("resumes from serialized state in a second gateway without a second performMaintenance", async () => {
    for (const vm of [plain[3], instances[0]]) {
      sim.reset();
      sim.setMaintenance(vm.resourceId, OPEN);
      const first = await gatewayFor(sim).startMaintenance(refOf(vm));
      const second = gatewayFor(sim);
      const resumed = second.resumeMaintenance(refOf(vm), first.state);
      expect(resumed.operationId).toBe(first.operationId);
      await resumed.wait();
      expect(second.requestCount()).toBeGreaterThanOrEqual(2); // at least one status poll and the final Location GET
      expect(sim.requests({ operation: "performMaintenance" })).toHaveLength(1);
      expect(sim.vms().find((v) => v.resourceId === vm.resourceId)?.maintenance?.lastOperationResultCode).toBe("MaintenanceCompleted");
    }
  });

  it("rejects garbage poller state as a non-retryable ArmError", () => {
    expect(() => gatewayFor(sim).resumeMaintenance(refOf(plain[4]), "not json")).toThrow(ArmError);
  });
});
