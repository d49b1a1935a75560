import { describe, expect, it } from "vitest";
import { fromScaleSetVm, fromVirtualMachine, operationIdFromState, parseResourceId, toInstanceViewFacts } from "../../src/azure/arm-mapping.js";
import { isoWithOffset } from "../../src/azure/simulator/index.js";

const SUB = "11111111-2222-4333-a444-555555555555";

describe("ARM mapping", () => {
  it("parses resource ids case-insensitively", () => {
    const p = parseResourceId(`/subscriptions/${SUB}/resourceGroups/RG-1/providers/Microsoft.Compute/virtualMachineScaleSets/web/virtualMachines/3`);
    expect(p.subscriptionId).toBe(SUB);
    expect(p.resourceGroup).toBe("RG-1");
    expect(p.segments.get("virtualmachinescalesets")).toBe("web");
    expect(p.segments.get("virtualmachines")).toBe("3");
    expect(() => parseResourceId("/subscriptions/x")).toThrow();
  });

  it("lower-cases the subscription id, as configured ones are, so the sync matches it whatever case ARM sent", () => {
    const p = parseResourceId(`/SUBSCRIPTIONS/${SUB.toUpperCase()}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`);
    expect(p.subscriptionId).toBe(SUB);
  });

  it("maps a VM with instance view, availability set and zone", () => {
    const vm = fromVirtualMachine({
      id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`,
      name: "vm1", location: "westeurope", zones: ["2"], tags: { env: "prod" },
      availabilitySet: { id: `/subscriptions/${SUB}/resourceGroups/RG/providers/Microsoft.Compute/availabilitySets/AVSET-WEB` },
      instanceView: {
        platformUpdateDomain: 1, platformFaultDomain: 0,
        statuses: [{ code: "ProvisioningState/succeeded" }, { code: "PowerState/deallocated" }],
        maintenanceRedeployStatus: { isCustomerInitiatedMaintenanceAllowed: true, preMaintenanceWindowStartTime: new Date("2026-11-27T17:00:00Z") },
      },
    });
    expect(vm).toMatchObject({ subscriptionId: SUB, resourceGroup: "rg", name: "vm1", scaleSetName: null, zone: "2", availabilitySet: "AVSET-WEB", tags: { env: "prod" } });
    expect(vm.instanceView).toEqual({
      powerState: "deallocated", platformUpdateDomain: 1, platformFaultDomain: 0,
      maintenance: {
        customerInitiatedMaintenanceAllowed: true,
        selfServiceWindow: { start: new Date("2026-11-27T17:00:00Z"), end: null },
        scheduledWindow: { start: null, end: null },
        lastOperationResultCode: null, lastOperationMessage: null,
      },
    });
    expect(fromVirtualMachine({ id: vm.resourceId, location: "x" }).instanceView).toBeNull();
  });

  it("maps a scale-set instance", () => {
    const vm = fromScaleSetVm({ id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/web/virtualMachines/3`, name: "web_3", instanceId: "3", location: "eastus" });
    expect(vm).toMatchObject({ name: "web_3", scaleSetName: "web", scaleSetInstanceId: "3", instanceView: null });
    expect(toInstanceViewFacts({}).powerState).toBeNull();
  });

  it("takes the operation id from serialized poller state", () => {
    const state = JSON.stringify({ state: { config: { operationLocation: "https://h/subscriptions/s/providers/Microsoft.Compute/locations/x/operations/abc-1?api-version=1" } } });
    expect(operationIdFromState(state)).toBe("abc-1");
    expect(operationIdFromState("nope")).toBeNull();
  });

  it("simulator times with offsets denote the same instant", () => {
    const at = Date.parse("2026-11-27T17:00:00Z");
    expect(isoWithOffset(at, -420)).toBe("2026-11-27T10:00:00-07:00");
    expect(isoWithOffset(at, 330)).toBe("2026-11-27T22:30:00+05:30");
    expect(isoWithOffset(at)).toBe("2026-11-27T17:00:00Z");
    expect(Date.parse(isoWithOffset(at, -420))).toBe(at);
  });
});
