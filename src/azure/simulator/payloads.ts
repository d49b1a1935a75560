// ARM JSON shapes (camelCase, as the REST API and `az` emit them; PowerShell's PascalCase is a client artefact).
import type { SimScaleSet, SimVm } from "./types.js";

export function cloudError(code: string, message: string) {
  return { error: { code, message } };
}

const POWER_DISPLAY: Record<string, string> = {
  running: "VM running", deallocated: "VM deallocated", stopped: "VM stopped", starting: "VM starting",
};

/** The run-time statuses (provisioning and power state), all that a status-only list documents. */
function statuses(vm: SimVm, now: Date) {
  return [
    { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded", time: now.toISOString() },
    { code: `PowerState/${vm.powerState}`, level: "Info", displayStatus: POWER_DISPLAY[vm.powerState] ?? vm.powerState },
  ];
}

/** VirtualMachineInstanceView / VirtualMachineScaleSetVMInstanceView (the fields this service reads, plus a few). */
export function instanceView(vm: SimVm, now: Date) {
  return {
    platformUpdateDomain: vm.platformUpdateDomain,
    platformFaultDomain: vm.platformFaultDomain,
    computerName: vm.name.replace(/_/g, "-"),
    osName: "ubuntu",
    osVersion: "22.04",
    ...(vm.maintenance ? { maintenanceRedeployStatus: { ...vm.maintenance } } : {}),
    statuses: statuses(vm, now),
  };
}

/** What a VM list item carries of the instance view: nothing, the run-time statuses (statusOnly), or all of it. */
export type ListedInstanceView = "none" | "statuses" | "full";

function availabilitySetId(vm: SimVm) {
  return `/subscriptions/${vm.subscriptionId}/resourceGroups/${vm.resourceGroup.toUpperCase()}/providers/Microsoft.Compute/availabilitySets/${vm.availabilitySet}`;
}

export function vmResource(vm: SimVm, now: Date, listed: ListedInstanceView) {
  return {
    name: vm.name,
    id: vm.resourceId,
    type: "Microsoft.Compute/virtualMachines",
    location: vm.location,
    tags: { ...vm.tags },
    ...(vm.zone ? { zones: [vm.zone] } : {}),
    properties: {
      vmId: vm.vmId,
      ...(vm.availabilitySet ? { availabilitySet: { id: availabilitySetId(vm) } } : {}),
      hardwareProfile: { vmSize: vm.vmSize },
      provisioningState: "Succeeded",
      ...(listed === "full" ? { instanceView: instanceView(vm, now) } : listed === "statuses" ? { instanceView: { statuses: statuses(vm, now) } } : {}),
    },
  };
}

export function scaleSetResource(ss: SimScaleSet) {
  return {
    name: ss.name,
    id: ss.resourceId,
    type: "Microsoft.Compute/virtualMachineScaleSets",
    location: ss.location,
    sku: { name: ss.vmSize, tier: "Standard", capacity: ss.capacity },
    properties: {
      orchestrationMode: "Uniform",
      upgradePolicy: { mode: "Manual" },
      provisioningState: "Succeeded",
      uniqueId: ss.resourceId.length.toString(16).padStart(8, "0") + "-0000-4000-a000-000000000000",
    },
  };
}

export function scaleSetVmResource(vm: SimVm, now: Date, withInstanceView: boolean) {
  return {
    name: vm.name,
    id: vm.resourceId,
    type: "Microsoft.Compute/virtualMachineScaleSets/virtualMachines",
    location: vm.location,
    instanceId: vm.instanceId,
    sku: { name: vm.vmSize, tier: "Standard" },
    tags: { ...vm.tags },
    ...(vm.zone ? { zones: [vm.zone] } : {}),
    properties: {
      latestModelApplied: true,
      vmId: vm.vmId,
      provisioningState: "Succeeded",
      ...(withInstanceView ? { instanceView: instanceView(vm, now) } : {}),
    },
  };
}
