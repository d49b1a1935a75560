// The shipped Azure role must grant exactly what the gateway calls: one action per ARM operation the service
// sends (see src/azure/arm-gateway.ts and src/azure/arm-operations.ts), nothing more.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const role = JSON.parse(readFileSync(new URL("../../deploy/azure-custom-role.json", import.meta.url), "utf8"));

describe("deploy/azure-custom-role.json", () => {
  it("grants exactly the actions the gateway needs, and no data actions or wildcards", () => {
    expect([...role.Actions].sort()).toEqual([
      "Microsoft.Compute/locations/operations/read", // polling performMaintenance's Azure-AsyncOperation / Location
      "Microsoft.Compute/virtualMachineScaleSets/read", // virtualMachineScaleSets.listAll
      "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/instanceView/read",
      "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/performMaintenance/action",
      "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read", // virtualMachineScaleSetVMs.list
      "Microsoft.Compute/virtualMachines/instanceView/read",
      "Microsoft.Compute/virtualMachines/performMaintenance/action",
      "Microsoft.Compute/virtualMachines/read", // virtualMachines.listAll
    ]);
    expect(role.Actions.some((a: string) => a.includes("*"))).toBe(false);
    expect(role.DataActions).toEqual([]);
    expect(role.IsCustom).toBe(true);
  });
});
