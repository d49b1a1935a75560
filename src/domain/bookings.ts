// The rules a booking's start time must satisfy, when it is made and when it is moved. Pure: the VM's facts,
// the clock and the policy are parameters; every violated rule throws its own DomainError whose message and
// extensions tell the caller what would be accepted.
import { blackoutAt, type Blackout, type BlackoutVerdict } from "./blackouts.js";
import { DomainError } from "./errors.js";
import { isPending, type MaintenanceStatus } from "./maintenance.js";
import type { SelectableVm } from "./vm-selector.js";

export interface BookingPolicy {
  /** A booking must start at least this long after it is made or changed. */
  minLeadSeconds: number;
  /** A booking must start at least this long before its self-service window ends, so retries have room. */
  endMarginSeconds: number;
}

/** What the rules need to know about the VM (its placement: for the blackouts' selectors); null when no VM has the requested id. */
export interface BookableVm extends SelectableVm {
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

function requireBookableMaintenance(vm: BookableVm | null, vmId: string, now: Date): { vm: BookableVm; maintenance: MaintenanceStatus } {
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
  return { vm, maintenance: m };
}

type Bounds = { selfServiceWindow: { start: string | null; end: string | null }; earliestStartAt: string; latestStartAt: string | null };

function inBlackout(startAt: Date, verdict: BlackoutVerdict, bounds: Bounds): DomainError {
  const next = iso(verdict.nextAllowedAt);
  const latest = bounds.latestStartAt;
  const later = `choose an earlier time outside them, or leave the virtual machine to Azure's scheduled window`;
  const advice =
    next === null ? `No time in the following year is free of blackouts for it: ${later}.`
    : latest !== null && next > latest ? `The blackouts last until ${next}, after the latest acceptable startAt ${latest}: ${later}.`
    : `Maintenance may start again from ${next}: choose a time outside the blackout, between ${bounds.earliestStartAt} and ${latest ?? "any later time"}.`;
  return new DomainError("blackout", `startAt ${startAt.toISOString()} falls in blackout "${verdict.name}", which applies to this virtual machine. ${advice}`, {
    blackout: verdict.name,
    nextAllowedAt: next,
    ...bounds,
  });
}

/**
 * Checks that `startAt` may be booked for `vm` at `now`; throws the DomainError of the first rule it breaks.
 * Rule order: VM known → not gone → maintenance read → maintenance pending → self-service allowed → inside the
 * window → lead time → end margin → outside the blackouts that apply to the VM (`blackouts`: all of them, as
 * loaded by `blackoutsForBooking`). Blackouts come last, so the bounds their answer carries are those of a time
 * every other rule accepts. Only the start instant is checked against them: a blackout says when maintenance must
 * not *start*, which is what a booking chooses; how long Azure's operation then runs is not known here.
 */
export function checkBookable(vm: BookableVm | null, vmId: string, startAt: Date, now: Date, policy: BookingPolicy, blackouts: readonly Blackout[]): void {
  const { vm: known, maintenance } = requireBookableMaintenance(vm, vmId, now);
  const window = maintenance.selfServiceWindow;
  const range = bookableRange(window, now, policy);
  const bounds: Bounds = {
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
  const blackedOut = blackoutAt(blackouts, known, startAt);
  if (blackedOut) throw inBlackout(startAt, blackedOut, bounds);
}
