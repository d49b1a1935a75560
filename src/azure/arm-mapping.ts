// Pure mapping from SDK models (already deserialized: times are UTC `Date`s) to the gateway's types.
import type { MaintenanceRedeployStatus, VirtualMachine, VirtualMachineScaleSetVM } from "@azure/arm-compute";
import type { MaintenanceStatus } from "../domain/maintenance.js";
import type { ArmVirtualMachine, InstanceViewFacts } from "./gateway.js";

export interface ParsedResourceId {
  subscriptionId: string;
  resourceGroup: string;
  /** Lower-cased resource-type segment → name, e.g. `virtualmachines` → `vm-1`. */
  segments: Map<string, string>;
}

/** Splits an ARM id into key/value pairs; keys compared lower-cased because ARM ids are case-insensitive. */
export function parseResourceId(id: string): ParsedResourceId {
  const parts = id.split("/").filter(Boolean);
  const segments = new Map<string, string>();
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const key = parts[i].toLowerCase();
    if (key === "providers") continue; // `providers/Microsoft.Compute` names a namespace, not a resource
    segments.set(key, parts[i + 1]);
  }
  // Subscription ids are GUIDs that ARM may send in either case; the configured ones are lower-cased too, so a
  // sync marks gone (and scopes, filters) the same subscription whatever case an id used.
  const subscriptionId = segments.get("subscriptions")?.toLowerCase();
  const resourceGroup = segments.get("resourcegroups");
  if (!subscriptionId || !resourceGroup) throw new Error(`Not a resource-group scoped ARM id: ${id}`);
  return { subscriptionId, resourceGroup, segments };
}

function lastSegment(id: string | undefined): string | null {
  return id ? (id.split("/").filter(Boolean).pop() ?? null) : null;
}

export function toMaintenanceStatus(m: MaintenanceRedeployStatus | undefined | null): MaintenanceStatus | null {
  if (!m) return null;
  return {
    customerInitiatedMaintenanceAllowed: m.isCustomerInitiatedMaintenanceAllowed ?? null,
    selfServiceWindow: { start: m.preMaintenanceWindowStartTime ?? null, end: m.preMaintenanceWindowEndTime ?? null },
    scheduledWindow: { start: m.maintenanceWindowStartTime ?? null, end: m.maintenanceWindowEndTime ?? null },
    lastOperationResultCode: m.lastOperationResultCode ?? null,
    lastOperationMessage: m.lastOperationMessage ?? null,
  };
}

interface InstanceViewLike {
  platformUpdateDomain?: number;
  platformFaultDomain?: number;
  maintenanceRedeployStatus?: MaintenanceRedeployStatus;
  statuses?: { code?: string }[];
}

export function toInstanceViewFacts(iv: InstanceViewLike): InstanceViewFacts {
  return {
    maintenance: toMaintenanceStatus(iv.maintenanceRedeployStatus),
    powerState: powerStateOf(iv),
    platformUpdateDomain: iv.platformUpdateDomain ?? null,
    platformFaultDomain: iv.platformFaultDomain ?? null,
  };
}

function powerStateOf(iv: InstanceViewLike | undefined): string | null {
  const power = iv?.statuses?.find((s) => s.code?.toLowerCase().startsWith("powerstate/"))?.code;
  return power ? power.slice("PowerState/".length) : null;
}

/** What VMs and scale-set VMs share; the caller adds name, scale-set fields and the instance view. */
function commonFields(vm: VirtualMachine | VirtualMachineScaleSetVM) {
  const resourceId = vm.id ?? "";
  const { subscriptionId, resourceGroup, segments } = parseResourceId(resourceId);
  const fields = {
    subscriptionId,
    resourceGroup,
    resourceId,
    location: vm.location,
    // The availability set's name; ARM often returns its id upper-cased, so compare case-insensitively.
    availabilitySet: lastSegment(vm.availabilitySet?.id),
    zone: vm.zones?.[0] ?? null,
    tags: { ...(vm.tags ?? {}) },
    powerState: powerStateOf(vm.instanceView),
  };
  return { fields, segments };
}

/**
 * A VM from `virtualMachines.listAll({ statusOnly: "true" })`. Its instance view counts only when it carries
 * `maintenanceRedeployStatus`: "run-time status" is all that statusOnly documents, so an instance view without it
 * is no proof that no maintenance is planned (Azure PowerShell and Azure's own samples read each VM's instance view).
 */
export function fromVirtualMachine(vm: VirtualMachine): ArmVirtualMachine {
  const { fields, segments } = commonFields(vm);
  const instanceView = vm.instanceView?.maintenanceRedeployStatus ? toInstanceViewFacts(vm.instanceView) : null;
  return { ...fields, instanceView, name: vm.name ?? segments.get("virtualmachines") ?? "", scaleSetName: null, scaleSetInstanceId: null };
}

/** A scale-set instance listed with `$expand=instanceView`: that instance view is the instance's own, whole. */
export function fromScaleSetVm(vm: VirtualMachineScaleSetVM): ArmVirtualMachine {
  const { fields, segments } = commonFields(vm);
  const instanceId = vm.instanceId ?? segments.get("virtualmachines") ?? null;
  const scaleSetName = segments.get("virtualmachinescalesets") ?? null;
  const instanceView = vm.instanceView ? toInstanceViewFacts(vm.instanceView) : null;
  return { ...fields, instanceView, name: vm.name ?? `${scaleSetName}_${instanceId}`, scaleSetName, scaleSetInstanceId: instanceId };
}

/** ARM's operation id: the last path segment of the Azure-AsyncOperation URL kept in the poller state. */
export function operationIdFromState(state: string): string | null {
  try {
    const config = (JSON.parse(state) as { state?: { config?: { operationLocation?: string } } }).state?.config;
    const url = config?.operationLocation;
    return url ? (new URL(url).pathname.split("/").filter(Boolean).pop() ?? null) : null;
  } catch {
    return null;
  }
}
