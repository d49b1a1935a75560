// Blackouts: times when maintenance must not start (release freezes, Black Friday), as explicit local ranges,
// a recurrence (same engine and rules as maintenance windows), or both, for the VMs a selector picks. Pure.
import { DomainError } from "./errors.js";
import { intervalAt, mergeIntervals, type Interval } from "./intervals.js";
import { Temporal, checkTimeZone, parseLocalDateTime, placeLocal, toDate } from "./local-time.js";
import { compileRecurrence, occurrencesBetween, type CompileOptions, type Recurrence } from "./recurrence.js";
import { checkSelector, matchesSelector, type SelectableVm, type VmSelector } from "./vm-selector.js";

export interface LocalRange {
  /** Local date-time without offset, "2026-11-27T00:00". */
  start: string;
  /** Exclusive. */
  end: string;
}

export interface BlackoutDefinition {
  timeZone: string;
  ranges?: LocalRange[];
  rrule?: string | null;
  start?: string | null;
  duration?: string | null;
  offsetDays?: number | null;
  startDate?: string | null;
  /** Absent or null: every VM. */
  selector?: VmSelector | null;
}

export interface Blackout {
  name: string;
  /** As checked: canonical zone, rule upper-cased, absent members null. */
  definition: BlackoutDefinition;
  timeZone: string;
  /** The ranges as instants, merged. */
  ranges: Interval[];
  recurrence: Recurrence | null;
  selector: VmSelector | null;
}

const RECURRENCE_MEMBERS = ["start", "duration", "offsetDays", "startDate"] as const;

function invalid(message: string, pointer: string): DomainError {
  return new DomainError("invalid-blackout", message, { pointer });
}

function resolveRange(range: LocalRange, index: number, timeZone: string): Interval {
  const at = (member: "start" | "end") => {
    const local = parseLocalDateTime(range[member]);
    if (!local) throw new DomainError("validation-failed", `ranges[${index}].${member} ${JSON.stringify(range[member])} must be a local date-time "YYYY-MM-DDTHH:mm" without offset.`, { pointer: `/ranges/${index}/${member}` });
    return local;
  };
  const [start, end] = [at("start"), at("end")];
  if (Temporal.PlainDateTime.compare(end, start) <= 0) throw invalid(`ranges[${index}] ends before it starts.`, `/ranges/${index}/end`);
  const interval = { start: toDate(placeLocal(start, timeZone)), end: toDate(placeLocal(end, timeZone)) };
  if (interval.end <= interval.start) throw invalid(`ranges[${index}] lies entirely in a daylight-saving gap of ${timeZone}: it never happens.`, `/ranges/${index}`);
  return interval;
}

function compileBlackoutRecurrence(def: BlackoutDefinition, timeZone: string, options: CompileOptions): Recurrence | null {
  if (!def.rrule) {
    const stray = RECURRENCE_MEMBERS.find((m) => def[m] !== undefined && def[m] !== null);
    if (stray) throw invalid(`${stray} belongs to a recurring blackout: give rrule too, or leave ${stray} out.`, `/${stray}`);
    return null;
  }
  for (const member of ["start", "duration"] as const) {
    if (!def[member]) throw invalid(`A recurring blackout needs ${member} as well as rrule.`, `/${member}`);
  }
  return compileRecurrence({ timeZone, rrule: def.rrule, start: def.start!, duration: def.duration!, offsetDays: def.offsetDays ?? 0, startDate: def.startDate ?? null }, options);
}

/** Checks a definition and prepares it for evaluation; throws a DomainError naming the member at fault. */
export function compileBlackout(name: string, def: BlackoutDefinition, options: CompileOptions = {}): Blackout {
  const timeZone = checkTimeZone(def.timeZone);
  const ranges = def.ranges ?? [];
  if (ranges.length === 0 && !def.rrule) throw invalid("A blackout needs ranges, a recurrence (rrule, start, duration), or both.", "/ranges");
  const resolved = mergeIntervals(ranges.map((r, i) => resolveRange(r, i, timeZone)));
  const recurrence = compileBlackoutRecurrence(def, timeZone, options);
  const selector = def.selector ? checkSelector(def.selector) : null;
  const r = recurrence?.definition;
  return {
    name,
    definition: {
      timeZone, ranges, selector,
      rrule: r?.rrule ?? null, start: r?.start ?? null, duration: r?.duration ?? null, offsetDays: r?.offsetDays ?? null, startDate: r?.startDate ?? null,
    },
    timeZone, ranges: resolved, recurrence, selector,
  };
}

/** The blackout's times that overlap [from, to), merged (adjacent and overlapping ones become one), unclipped. */
export function blackoutIntervals(blackout: Blackout, from: Date, to: Date): Interval[] {
  const recurring = blackout.recurrence ? occurrencesBetween(blackout.recurrence, from, to) : [];
  const ranges = blackout.ranges.filter((r) => r.start < to && r.end > from);
  return mergeIntervals([...ranges, ...recurring]);
}

export interface BlackoutVerdict {
  /** The blackout covering the time (the first by name when several do). */
  name: string;
  /** The first time at or after it that no blackout for the VM covers; null when none within the horizon. */
  nextAllowedAt: Date | null;
}

const DAY_MS = 86_400_000;

/**
 * Whether `t` is blacked out for `vm`: null when it is not; else which blackout and when the VM is next free,
 * across adjacent and overlapping blackouts, searched up to `horizonDays` after `t`. For single checks (a
 * booking being made or moved); the planner asks `availabilityBetween` once for many VMs instead.
 */
export function blackoutAt(blackouts: readonly Blackout[], vm: SelectableVm, t: Date, horizonDays = 366): BlackoutVerdict | null {
  const applicable = blackouts.filter((b) => matchesSelector(b.selector, vm));
  const covering = applicable.filter((b) => intervalAt(blackoutIntervals(b, t, new Date(t.getTime() + 1)), t)).map((b) => b.name).sort();
  if (covering.length === 0) return null;
  const horizon = t.getTime() + horizonDays * DAY_MS;
  // Walk the chain a month at a time: an interval reaching past the month may join one starting after it.
  for (let cursor = t; cursor.getTime() < horizon; ) {
    const to = new Date(Math.min(cursor.getTime() + 31 * DAY_MS, horizon));
    const current = intervalAt(mergeIntervals(applicable.flatMap((b) => blackoutIntervals(b, cursor, to))), cursor);
    if (!current) return { name: covering[0], nextAllowedAt: cursor };
    if (current.end < to) return { name: covering[0], nextAllowedAt: current.end };
    cursor = current.end;
  }
  return { name: covering[0], nextAllowedAt: null };
}
