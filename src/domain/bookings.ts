// The rules a booking's start time must satisfy, when it is made and when it is moved. Pure: the VM's facts,
// the clock and the policy are parameters; every violated rule throws its own DomainError whose message and
// extensions tell the caller what would be accepted.
import { DomainError } from "./errors.js";
import { isPending, type MaintenanceStatus } from "./maintenance.js";

export interface BookingPolicy {
  /** A booking must start at least this long after it is made or changed. */
  minLeadSeconds: number;
  /** A booking must start at least this long before its self-service window ends, so retries have room. */
  endMarginSeconds: number;
}

/** What the rules need to know about the VM; null when no VM has the requested id. */
export interface BookableVm {
  id: string;
  goneSince: Date | null;
  /** Null: the VM's instance view was never read, so `maintenance: null` does not mean "none". */
  maintenanceReadAt: Date | null;
  maintenance: MaintenanceStatus | null;
}

/** The start times a booking may have right now: [earliest, latest]; latest null when the window has no end. */
export interface BookableRange {
  earliest: Date;
  latest: Date | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** An empty note is no note: the contract says `""` clears it, so it is stored as null. undefined (not sent) stays. */
export function noteValue<T extends string | null | undefined>(note: T): T | null {
  return note === "" ? null : note;
}

/** The range inside the self-service window that also respects the lead time and the end margin. */
export function bookableRange(window: MaintenanceStatus["selfServiceWindow"], now: Date, policy: BookingPolicy): BookableRange {
  const soonest = now.getTime() + policy.minLeadSeconds * 1000;
  const earliest = new Date(Math.max(soonest, window.start?.getTime() ?? soonest));
  const latest = window.end ? new Date(window.end.getTime() - policy.endMarginSeconds * 1000) : null;
  return { earliest, latest };
}

function requireBookableMaintenance(vm: BookableVm | null, vmId: string, now: Date): MaintenanceStatus {
  if (!vm) throw new DomainError("virtual-machine-unknown", `No virtual machine with id ${vmId}. List them with GET /v1/virtual-machines.`);
  if (vm.goneSince) {
    throw new DomainError("virtual-machine-gone", `Virtual machine ${vmId} is no longer listed by Azure (gone since ${vm.goneSince.toISOString()}); it cannot be booked.`);
  }
  if (vm.maintenanceReadAt === null) {
    throw new DomainError("maintenance-unknown", `Azure's maintenance status of virtual machine ${vmId} has not been read yet; it will be by the next sync (or POST /v1/sync-runs). Try again then.`);
  }
  const m = vm.maintenance;
  if (!m || !isPending(m, now)) {
    throw new DomainError("no-pending-maintenance", `Virtual machine ${vmId} has no pending maintenance; there is nothing to book. Its next window appears after a sync.`);
  }
  // Azure sets the allowed flag only while the self-service window is open; a window that opens later may
  // already be booked (the scheduler checks the flag again at startAt).
  const opensLater = m.selfServiceWindow.start !== null && m.selfServiceWindow.start.getTime() > now.getTime();
  if (m.customerInitiatedMaintenanceAllowed !== true && !opensLater) {
    throw new DomainError("self-service-not-allowed", `Azure does not allow customer-initiated maintenance for virtual machine ${vmId}; it will be maintained in its scheduled window.`, {
      scheduledWindow: { start: iso(m.scheduledWindow.start), end: iso(m.scheduledWindow.end) },
    });
  }
  return m;
}

/**
 * Checks that `startAt` may be booked for `vm` at `now`; throws the DomainError of the first rule it breaks.
 * Rule order: VM known → not gone → maintenance read → maintenance pending → self-service allowed → inside the
 * window → lead time → end margin.
 */
export function checkBookable(vm: BookableVm | null, vmId: string, startAt: Date, now: Date, policy: BookingPolicy): void {
  const { selfServiceWindow: window } = requireBookableMaintenance(vm, vmId, now);
  const range = bookableRange(window, now, policy);
  const bounds = {
    selfServiceWindow: { start: iso(window.start), end: iso(window.end) },
    earliestStartAt: range.earliest.toISOString(),
    latestStartAt: iso(range.latest),
  };
  const between = `between ${bounds.earliestStartAt} and ${bounds.latestStartAt ?? "any later time"}`;
  const t = startAt.getTime();
  if ((window.start && t < window.start.getTime()) || (window.end && t >= window.end.getTime())) {
    throw new DomainError("outside-self-service-window", `startAt ${startAt.toISOString()} is outside the self-service window ${bounds.selfServiceWindow.start ?? "(open)"} – ${bounds.selfServiceWindow.end ?? "(open)"}. Choose a time ${between}.`, bounds);
  }
  if (t < range.earliest.getTime()) {
    throw new DomainError("start-too-soon", `startAt must be at least ${policy.minLeadSeconds} s from now. Choose a time ${between}.`, bounds);
  }
  if (range.latest && t > range.latest.getTime()) {
    throw new DomainError("too-close-to-window-end", `startAt must be at least ${policy.endMarginSeconds} s before the self-service window ends (${bounds.selfServiceWindow.end}), so retries have room. Choose a time ${between}.`, bounds);
  }
}
