// Automatic booking: for every member of an autoBook maintenance group that has a self-service window and no active
// booking, the earliest start that (1) the booking rules accept (bookableRange, checkBookable: inside the self-service
// window with the lead time and the end margin), (2) lies, with the expected operation time after it, inside one
// occurrence of the group's maintenance window and outside the blackouts that apply to the VM (availability.ts), and
// (3) keeps the limits of every group the VM is in, counting the bookings already planned: maxConcurrent, and update
// domains of one availability set or scale set never sharing a slot, the update-domain gap between them. Each
// booking is assumed to last the learned operation estimate, as the plan preview assumes (plan-projection.ts).
// A VM in several autoBook groups is booked by the first of them, in name order, whose window has a slot. Pure.
import { allowedIntervals, availabilityBetween, type Availability } from "./availability.js";
import type { Blackout } from "./blackouts.js";
import { bookableRange, checkBookable, type BookableVm, type BookingPolicy } from "./bookings.js";
import { DomainError } from "./errors.js";
import { firstFit } from "./intervals.js";
import { limitFor, type GroupPolicy } from "./planner-policy.js";
import type { TimeWindow } from "./maintenance.js";
import type { Recurrence } from "./recurrence.js";

export interface AutoBookSettings {
  policy: BookingPolicy;
  /** UPDATE_DOMAIN_GAP (a group's updateDomainGap wins when longer). */
  updateDomainGapMs: number;
  /** The learned operation estimate: how long each booking is expected to keep its VM in maintenance. */
  operationDurationMs: number;
}

export interface AutoBookGroup {
  name: string;
  policy: GroupPolicy;
  members: number;
  /** The policy's maintenanceWindow, compiled; null when it names none, or one that no longer exists. */
  window: Recurrence | null;
}

/** A member of an autoBook group with no active booking. */
export interface AutoBookCandidate {
  vm: BookableVm;
  /**
   * The self-service windows for which an auto booking of this VM was cancelled: one cancelled for its current
   * window is not made again (a window Azure moved is another window; an invalidated booking was not cancelled).
   */
  cancelledFor: TimeWindow[];
  placement: string | null;
  updateDomain: number | null;
  /** Every group the VM is in (their limits apply), by name. */
  groups: string[];
}

/** A booking already planned (scheduled, held or running), as [start, end). */
export interface PlannedBooking {
  virtualMachineId: string;
  start: Date;
  end: Date;
  placement: string | null;
  updateDomain: number | null;
  groups: string[];
}

export interface AutoBookInput {
  now: Date;
  settings: AutoBookSettings;
  /** Every group, autoBook or not (a VM's other groups' limits apply too). */
  groups: AutoBookGroup[];
  candidates: AutoBookCandidate[];
  planned: PlannedBooking[];
  blackouts: readonly Blackout[];
}

export interface AutoBooking {
  virtualMachineId: string;
  startAt: Date;
  /** The autoBook group that booked it (createdBy `system:auto-booking:<group>`). */
  group: string;
  /** The self-service window it was booked for (a cancelled auto booking is not re-created for the same one). */
  selfServiceWindow: { start: Date | null; end: Date | null };
}

export interface Unplannable {
  virtualMachineId: string;
  /** Listed on each of the VM's autoBook groups. */
  groups: string[];
  reason: string;
  /** The self-service window's end. */
  deadline: Date | null;
}

export interface AutoBookPlan {
  bookings: AutoBooking[];
  unplannable: Unplannable[];
}

export const autoBookingActor = (group: string) => `system:auto-booking:${group}`;

const DAY_MS = 86_400_000;
/** Without a self-service window end, look this far ahead. */
const OPEN_WINDOW_HORIZON_MS = 31 * DAY_MS;
/** Two VMs share an update domain only when Azure said so for both (as the planner judges it). */
const sameDomain = (a: number | null, b: number | null) => a !== null && a === b;

const sameWindow = (a: TimeWindow, b: TimeWindow) => a.start?.getTime() === b.start?.getTime() && a.end?.getTime() === b.end?.getTime();

/** The bookings planned so far, indexed by group and by placement. */
class Ledger {
  readonly byGroup = new Map<string, PlannedBooking[]>();
  readonly byPlacement = new Map<string, PlannedBooking[]>();
  add(b: PlannedBooking): void {
    const push = (map: Map<string, PlannedBooking[]>, key: string) => (map.get(key) ?? map.set(key, []).get(key)!).push(b);
    b.groups.forEach((g) => push(this.byGroup, g));
    if (b.placement !== null) push(this.byPlacement, b.placement);
  }
}

function gapOf(groups: string[], byName: Map<string, AutoBookGroup>, fallback: number): number {
  const own = groups.map((g) => byName.get(g)?.policy.updateDomainGapMs ?? null).filter((g): g is number => g !== null);
  return own.length ? Math.max(...own) : fallback;
}

/**
 * null when [s, e) keeps every limit; otherwise the earliest time a start could keep the broken ones (a lower bound:
 * no start before it does), so the search can jump there.
 */
function limitsBlock(c: AutoBookCandidate, s: number, e: number, ledger: Ledger, byName: Map<string, AutoBookGroup>, settings: AutoBookSettings): number | null {
  let until: number | null = null;
  const later = (t: number) => (until = Math.max(until ?? t, t));
  for (const name of c.groups) {
    const group = byName.get(name);
    if (!group?.policy.maxConcurrent) continue;
    const max = limitFor(group.policy.maxConcurrent, group.members, 1);
    const overlapping = (ledger.byGroup.get(name) ?? []).filter((b) => b.start.getTime() < e && b.end.getTime() > s);
    // Every start before the first of them ends still overlaps all of them.
    if (overlapping.length >= max) later(Math.min(...overlapping.map((b) => b.end.getTime())));
  }
  if (c.placement !== null) {
    const gap = gapOf(c.groups, byName, settings.updateDomainGapMs);
    for (const b of ledger.byPlacement.get(c.placement) ?? []) {
      if (sameDomain(b.updateDomain, c.updateDomain)) continue;
      const g = Math.max(gap, gapOf(b.groups, byName, settings.updateDomainGapMs));
      if (s < b.end.getTime() + g && b.start.getTime() < e + g) later(b.end.getTime() + g);
    }
  }
  return until;
}

type Slot = { startAt: Date } | { reason: string };

function findSlot(c: AutoBookCandidate, group: AutoBookGroup, a: Availability, ledger: Ledger, byName: Map<string, AutoBookGroup>, input: AutoBookInput): Slot {
  const { settings, now } = input;
  const d = settings.operationDurationMs;
  const range = bookableRange(c.vm.maintenance!.selfServiceWindow, now, settings.policy);
  const latest = range.latest ?? a.to;
  const where = group.policy.maintenanceWindow ? `maintenance window ${group.policy.maintenanceWindow}` : "the self-service window";
  const allowed = allowedIntervals(a, c.vm);
  let t = range.earliest;
  let blockedByLimits = false;
  for (;;) {
    const s = firstFit(allowed, t, d, latest);
    if (!s) {
      const bounds = `between ${range.earliest.toISOString()} and ${latest.toISOString()}`;
      return {
        reason: blockedByLimits
          ? `No time in ${where} ${bounds} keeps the limits of maintenance groups ${c.groups.join(", ")} (maxConcurrent, update domains) with the bookings already planned.`
          : `No occurrence of ${where} leaves ${Math.round(d / 60_000)} min outside blackouts ${bounds} (the self-service window less the lead time and the end margin).`,
      };
    }
    const until = limitsBlock(c, s.getTime(), s.getTime() + d, ledger, byName, settings);
    if (until === null) return { startAt: s };
    blockedByLimits = true;
    t = new Date(Math.max(until, s.getTime() + 1));
  }
}

/** Codes checkBookable answers for a VM there is nothing to book for (not a failure to plan). */
const NOTHING_TO_BOOK = new Set(["virtual-machine-gone", "maintenance-unknown", "no-pending-maintenance", "self-service-not-allowed"]);

/** Whom to book first: the first autoBook group's name, then the earliest deadline, then by placement and update domain. */
function order(a: { c: AutoBookCandidate; own: AutoBookGroup[] }, b: { c: AutoBookCandidate; own: AutoBookGroup[] }): number {
  const end = (x: AutoBookCandidate) => x.vm.maintenance?.selfServiceWindow.end?.getTime() ?? Infinity;
  return a.own[0].name.localeCompare(b.own[0].name) || end(a.c) - end(b.c) || (a.c.placement ?? "").localeCompare(b.c.placement ?? "")
    || (a.c.updateDomain ?? -1) - (b.c.updateDomain ?? -1) || a.c.vm.id.localeCompare(b.c.vm.id);
}

export function planAutoBookings(input: AutoBookInput): AutoBookPlan {
  const { now, settings } = input;
  const byName = new Map(input.groups.map((g) => [g.name, g]));
  const ledger = new Ledger();
  input.planned.forEach((b) => ledger.add(b));
  const queue = input.candidates
    .map((c) => ({ c, own: c.groups.map((g) => byName.get(g)).filter((g): g is AutoBookGroup => g?.policy.autoBook === true).sort((x, y) => x.name.localeCompare(y.name)) }))
    .filter((q) => q.own.length > 0 && q.c.vm.maintenance !== null && !q.c.cancelledFor.some((w) => sameWindow(w, q.c.vm.maintenance!.selfServiceWindow)))
    .sort(order);
  // The calendars, evaluated once per window for the whole range the candidates need.
  const to = new Date(Math.max(now.getTime() + DAY_MS, ...queue.map((q) => q.c.vm.maintenance!.selfServiceWindow.end?.getTime() ?? now.getTime() + OPEN_WINDOW_HORIZON_MS)));
  const availability = new Map<string, Availability>();
  const availabilityOf = (g: AutoBookGroup) => {
    const key = g.policy.maintenanceWindow ?? "";
    return availability.get(key) ?? availability.set(key, availabilityBetween(g.window, input.blackouts, now, to)).get(key)!;
  };
  const plan: AutoBookPlan = { bookings: [], unplannable: [] };
  for (const { c, own } of queue) {
    const window = c.vm.maintenance!.selfServiceWindow;
    const unplannable = (reason: string) => plan.unplannable.push({ virtualMachineId: c.vm.id, groups: own.map((g) => g.name), reason, deadline: window.end });
    const reasons: string[] = [];
    let booked: { startAt: Date; group: AutoBookGroup } | null = null;
    for (const group of own) {
      if (group.policy.maintenanceWindow && !group.window) {
        reasons.push(`Maintenance group ${group.name} names maintenance window ${group.policy.maintenanceWindow}, which no longer exists.`);
        continue;
      }
      const slot = findSlot(c, group, availabilityOf(group), ledger, byName, input);
      if ("startAt" in slot) {
        booked = { startAt: slot.startAt, group };
        break;
      }
      reasons.push(own.length > 1 ? `${group.name}: ${slot.reason}` : slot.reason);
    }
    if (!booked) {
      unplannable(reasons.join(" "));
      continue;
    }
    try {
      // The rules every booking passes, at the time chosen (the lead time, the margin and the blackouts were kept above).
      checkBookable(c.vm, c.vm.id, booked.startAt, now, settings.policy, input.blackouts);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (!NOTHING_TO_BOOK.has(error.code)) unplannable(error.message);
      continue;
    }
    const s = booked.startAt.getTime();
    ledger.add({ virtualMachineId: c.vm.id, start: booked.startAt, end: new Date(s + settings.operationDurationMs), placement: c.placement, updateDomain: c.updateDomain, groups: c.groups });
    plan.bookings.push({ virtualMachineId: c.vm.id, startAt: booked.startAt, group: booked.group.name, selfServiceWindow: { start: window.start, end: window.end } });
  }
  return plan;
}
