// When a VM may start maintenance, as the booking rules and the planner will ask it: inside an occurrence of
// its maintenance window (if it has one) and outside every blackout that applies to it. Computed once for a
// range and then asked per VM, so the auto-booker evaluates each rule once per sync, not once per VM. Pure.
import { blackoutIntervals, type Blackout } from "./blackouts.js";
import { clipIntervals, firstFit, intervalAt, mergeIntervals, subtractIntervals, type Interval } from "./intervals.js";
import { occurrencesBetween, type Occurrence, type Recurrence } from "./recurrence.js";
import { matchesSelector, type SelectableVm, type VmSelector } from "./vm-selector.js";

export interface BlackoutTimeline {
  name: string;
  selector: VmSelector | null;
  /** Sorted, disjoint, overlapping [from, to) (unclipped). */
  intervals: Interval[];
}

/**
 * The calendars evaluated over [from, to). Answers are exact inside that range; nothing after `to` is known, so
 * no answer reaches past it.
 */
export interface Availability {
  from: Date;
  to: Date;
  /** The maintenance window's occurrences overlapping [from, to); null: no window, any time is inside. */
  occurrences: Occurrence[] | null;
  blackouts: BlackoutTimeline[];
}

export function availabilityBetween(window: Recurrence | null, blackouts: readonly Blackout[], from: Date, to: Date): Availability {
  return {
    from,
    to,
    occurrences: window ? occurrencesBetween(window, from, to) : null,
    blackouts: blackouts.map((b) => ({ name: b.name, selector: b.selector, intervals: blackoutIntervals(b, from, to) })),
  };
}

/** Every blackout interval that applies to `vm`, merged. */
export function blackedOut(a: Availability, vm: SelectableVm): Interval[] {
  return mergeIntervals(a.blackouts.filter((b) => matchesSelector(b.selector, vm)).flatMap((b) => b.intervals));
}

/**
 * The times in [from, to) at which `vm` may be in maintenance: occurrences less its blackouts, clipped to the
 * range (what lies after `to` is unknown); sorted, disjoint.
 */
export function allowedIntervals(a: Availability, vm: SelectableVm): Interval[] {
  const inside = a.occurrences ? mergeIntervals(a.occurrences) : [{ start: a.from, end: a.to }];
  return clipIntervals(subtractIntervals(inside, blackedOut(a, vm)), a.from, a.to);
}

export interface AllowedStart {
  startAt: Date;
  /** The window occurrence it lies in; null when there is no window. */
  occurrence: Occurrence | null;
}

/**
 * The earliest start s with `t` ≤ s ≤ `latestStart` (default: no bound) such that [s, s + lengthMs) lies inside
 * one occurrence of the window (touching occurrences count as one) and inside [from, to), and touches no
 * blackout that applies to `vm`; null when there is none. The auto-booker asks it with lengthMs = the expected
 * operation time and latestStart = the self-service window's end less the end margin.
 */
export function firstAllowedStart(a: Availability, vm: SelectableVm, t: Date, lengthMs: number, latestStart: Date = a.to): AllowedStart | null {
  const startAt = firstFit(allowedIntervals(a, vm), t, lengthMs, latestStart);
  if (!startAt) return null;
  return { startAt, occurrence: a.occurrences ? intervalAt(a.occurrences, startAt) : null };
}

/**
 * The first time ≥ `t` that no blackout for `vm` covers (`t` itself when none does), across adjacent and
 * overlapping blackouts; null when the blackouts last past `to`.
 */
export function nextAllowedTime(a: Availability, vm: SelectableVm, t: Date): Date | null {
  const covering = intervalAt(blackedOut(a, vm), t);
  if (!covering) return t;
  return covering.end.getTime() < a.to.getTime() ? covering.end : null;
}
