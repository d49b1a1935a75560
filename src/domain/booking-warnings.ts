// What a booking's owner should know about the VM, without being stopped by it (warnings never block a booking).
// Pure: the VM's facts as last read are parameters.

export type BookingWarningCode = "vm-deallocated" | "vm-stopped" | "availability-set" | "scale-set" | "deferred";

export interface BookingWarning {
  code: BookingWarningCode;
  detail: string;
  /** For `deferred`: when the planner expects to start it (null: not before its window closes). */
  projectedStartAt?: string | null;
}

export interface VmPlacement {
  /** From the instance view's `PowerState/<state>` (e.g. running, deallocated, stopped). */
  powerState: string | null;
  availabilitySet: string | null;
  scaleSetName: string | null;
}

/**
 * Sources: a VM that is started again after deallocation lands on a host that may already be updated, so the
 * maintenance may no longer be needed (https://learn.microsoft.com/azure/virtual-machines/maintenance-notifications);
 * Azure maintains an availability set one update domain at a time and advises customers who start maintenance
 * themselves to do the same (https://learn.microsoft.com/azure/virtual-machines/availability-set-overview).
 */
export function bookingWarnings(vm: VmPlacement, deferral: { until: Date; reason: string | null } | null = null): BookingWarning[] {
  const warnings: BookingWarning[] = [];
  if (vm.powerState === "deallocated") {
    warnings.push({ code: "vm-deallocated", detail: "The VM is deallocated. When it is started again Azure may place it on an updated host, and the maintenance may no longer be needed." });
  } else if (vm.powerState === "stopped") {
    warnings.push({ code: "vm-stopped", detail: "The VM is stopped but still allocated. Deallocating and starting it again may place it on an updated host, so the maintenance may no longer be needed." });
  }
  if (vm.availabilitySet) {
    warnings.push({ code: "availability-set", detail: `The VM is in availability set ${vm.availabilitySet}. As Azure advises, the planner maintains one update domain at a time, UPDATE_DOMAIN_GAP apart: this booking may start later than booked when others of the set are booked near it.` });
  }
  if (vm.scaleSetName) {
    warnings.push({ code: "scale-set", detail: `The VM is an instance of scale set ${vm.scaleSetName}. As Azure advises, the planner maintains one update domain at a time, UPDATE_DOMAIN_GAP apart: this booking may start later than booked when other instances are booked near it.` });
  }
  if (deferral) {
    warnings.push({
      code: "deferred",
      detail: `The planner holds it back until about ${deferral.until.toISOString()}${deferral.reason ? `: ${deferral.reason}` : ""}.`,
      projectedStartAt: deferral.until.toISOString(),
    });
  }
  return warnings;
}
