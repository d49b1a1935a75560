// The recurrence engine shared by maintenance windows and blackouts: an RFC 5545 RRULE picks local calendar
// dates in an IANA time zone (evaluated by `rrule` on "floating" dates, so the rule's days are the zone's days),
// `offsetDays` moves each date, and the occurrence runs from `start` on that local date for `duration` of local
// wall-clock time. Pure: instants in, instants out.
//
// Decisions (README "Calendars"):
// - The wall-clock time is kept across daylight-saving changes. A local time that happens twice is its first;
//   one that does not happen starts at the first instant after the gap (src/domain/local-time.ts).
// - `duration` is wall-clock time too: "02:00" + "3h" ends at 05:00 local even on the nights the clocks change
//   (the occurrence then lasts 2 or 4 hours). So "the weekend after Patch Tuesday" (Sat 00:00 + 2d) ends at
//   Monday 00:00 whatever the clocks did. An occurrence that falls entirely into a gap has no time and is skipped.
// - Occurrences never overlap: a duration longer than the shortest distance between two of the rule's dates
//   is refused (checked over 8 years of the rule).
import { DomainError } from "./errors.js";
import { parseDuration } from "./duration.js";
import type { Interval } from "./intervals.js";
import { Temporal, checkTimeZone, localDate, parseLocalDate, parseWallClock, placeLocal, toDate } from "./local-time.js";
import { RRule, parseRule, type ParsedRule } from "./rrule-parts.js";

export interface RecurrenceDefinition {
  /** IANA time zone whose calendar and wall clock the rule follows. */
  timeZone: string;
  /** RFC 5545 RRULE without DTSTART or time-of-day parts. */
  rrule: string;
  /** Local wall-clock start, "HH:mm". */
  start: string;
  /** Local wall-clock length: "90m", "3h", "2d". */
  duration: string;
  /** Days added to each date the rule picks (may be negative). */
  offsetDays?: number;
  /** The local date the rule counts from (DTSTART's date), "YYYY-MM-DD"; needed by COUNT, INTERVAL > 1, … */
  startDate?: string | null;
}

export interface Recurrence {
  /** The definition as checked: canonical zone name, rule in upper case, defaults filled in. */
  definition: Required<RecurrenceDefinition>;
  timeZone: string;
  rule: ParsedRule;
  start: Temporal.PlainTime;
  durationMinutes: number;
  offsetDays: number;
  startDate: Temporal.PlainDate | null;
  /** For anchored rules: built once, so rrule's cache serves repeated questions. */
  anchoredRule: InstanceType<typeof RRule> | null;
}

/** One occurrence: [start, end). Local times for display come from `withLocalTimes` (formatting costs more than computing). */
export type Occurrence = Interval;

export const MAX_DURATION_MINUTES = 31 * 24 * 60;
export const MAX_OFFSET_DAYS = 365;
const OVERLAP_CHECK_YEARS = 8;
// Where an unanchored rule is sampled for the overlap check: a fixed date keeps the check's answer the same
// whenever it runs (the rule's dates do not depend on it).
const SAMPLE_FROM = Temporal.PlainDate.from("2024-01-01");

const floating = (date: Temporal.PlainDate) => new Date(`${date.toString()}T00:00:00Z`);
const fromFloating = (date: Date) => Temporal.PlainDate.from(date.toISOString().slice(0, 10));

function invalidDuration(message: string, pointer = "/duration"): DomainError {
  return new DomainError("invalid-duration", message, { pointer });
}

function durationMinutes(text: string): number {
  const ms = /^\d+(m|h|d)$/.test(text) ? parseDuration(text) : null;
  if (ms === null) throw invalidDuration(`duration ${JSON.stringify(text)} must be a whole number of minutes, hours or days: "90m", "3h", "2d".`);
  const minutes = ms / 60_000;
  if (minutes < 1 || minutes > MAX_DURATION_MINUTES) throw invalidDuration(`duration must be at least 1m and at most 31d; ${text} is not.`);
  return minutes;
}

// rrule walks an anchored rule from its first date on every question, so that date is bounded: from 2000 a
// daily rule is a few thousand steps, not hundreds of thousands.
const FIRST_START_DATE = Temporal.PlainDate.from("2000-01-01");
const LAST_START_DATE = Temporal.PlainDate.from("2199-12-31");

function checkStartDate(text: string): Temporal.PlainDate | null {
  const date = parseLocalDate(text);
  if (!date || Temporal.PlainDate.compare(date, FIRST_START_DATE) < 0 || Temporal.PlainDate.compare(date, LAST_START_DATE) > 0) return null;
  return date;
}

function field<T>(value: T | null, message: string, pointer: string): T {
  if (value === null) throw new DomainError("validation-failed", message, { pointer });
  return value;
}

export interface CompileOptions {
  /**
   * Check that occurrences never overlap (default). Stored definitions were checked when they were saved;
   * loading them skips it, since it walks years of the rule.
   */
  checkOverlap?: boolean;
}

/** Checks a definition and prepares it for evaluation; throws a DomainError naming the member at fault. */
export function compileRecurrence(def: RecurrenceDefinition, options: CompileOptions = {}): Recurrence {
  const timeZone = checkTimeZone(def.timeZone);
  const start = field(parseWallClock(def.start), `start ${JSON.stringify(def.start)} must be a local time "HH:mm" (00:00–23:59).`, "/start");
  const startDate = def.startDate ? field(checkStartDate(def.startDate), `startDate ${JSON.stringify(def.startDate)} must be a date "YYYY-MM-DD" from 2000-01-01 to 2199-12-31.`, "/startDate") : null;
  const offsetDays = def.offsetDays ?? 0;
  if (!Number.isInteger(offsetDays) || Math.abs(offsetDays) > MAX_OFFSET_DAYS) {
    throw new DomainError("validation-failed", `offsetDays must be a whole number from -${MAX_OFFSET_DAYS} to ${MAX_OFFSET_DAYS}.`, { pointer: "/offsetDays" });
  }
  const rule = parseRule(def.rrule, startDate !== null);
  const recurrence: Recurrence = {
    definition: { timeZone, rrule: rule.text, start: def.start, duration: def.duration, offsetDays, startDate: startDate?.toString() ?? null },
    timeZone, rule, start, durationMinutes: durationMinutes(def.duration), offsetDays, startDate,
    anchoredRule: rule.anchored && startDate ? new RRule({ ...rule.options, dtstart: floating(startDate) }) : null,
  };
  if (options.checkOverlap !== false) checkNoOverlap(recurrence);
  return recurrence;
}

/** The rule evaluated from `first` on (an unanchored rule's dates do not depend on where it starts counting). */
function ruleFrom(rec: Recurrence, first: Temporal.PlainDate): InstanceType<typeof RRule> {
  if (rec.anchoredRule) return rec.anchoredRule;
  const from = rec.startDate && Temporal.PlainDate.compare(rec.startDate, first) > 0 ? rec.startDate : first;
  return new RRule({ ...rec.rule.options, dtstart: floating(from) });
}

function ruleDates(rec: Recurrence, first: Temporal.PlainDate, last: Temporal.PlainDate): Temporal.PlainDate[] {
  return ruleFrom(rec, first).between(floating(first), floating(last), true).map(fromFloating);
}

function checkNoOverlap(rec: Recurrence): void {
  const from = rec.startDate ?? SAMPLE_FROM;
  let closest = Infinity;
  let previous: Temporal.PlainDate | null = null;
  // Stops at the first two dates a day apart: no rule comes closer (and a daily rule would take 8 × 365 steps).
  ruleFrom(rec, from).between(floating(from), floating(from.add({ years: OVERLAP_CHECK_YEARS })), true, (date) => {
    const current = fromFloating(date);
    if (previous) closest = Math.min(closest, previous.until(current).days);
    previous = current;
    return closest > 1;
  });
  if (!previous) {
    throw new DomainError("invalid-rrule", `The rule picks no date in the ${OVERLAP_CHECK_YEARS} years from ${from.toString()}.`, { pointer: "/rrule" });
  }
  if (closest * 24 * 60 < rec.durationMinutes) {
    throw invalidDuration(`duration ${rec.definition.duration} is longer than the ${closest} day(s) between two of the rule's dates, so occurrences would overlap; make it at most ${closest * 24}h.`);
  }
}

/** The occurrence for one date the rule picked; null when it falls entirely into a daylight-saving gap. */
function occurrenceOn(rec: Recurrence, ruleDate: Temporal.PlainDate): Occurrence | null {
  const localStart = ruleDate.add({ days: rec.offsetDays }).toPlainDateTime(rec.start);
  const start = placeLocal(localStart, rec.timeZone);
  const end = placeLocal(localStart.add({ minutes: rec.durationMinutes }), rec.timeZone);
  if (Temporal.ZonedDateTime.compare(end, start) <= 0) return null;
  return { start: toDate(start), end: toDate(end) };
}

/** The first rule date whose occurrence could still reach `t`: its start lies at most `duration` (+ a day for offsets and gaps) before. */
function earliestRuleDateReaching(rec: Recurrence, t: Date): Temporal.PlainDate {
  return localDate(t, rec.timeZone).subtract({ days: Math.ceil(rec.durationMinutes / 1440) + 1 + rec.offsetDays });
}

/** Every occurrence that overlaps [from, to) (one in progress at `from` included), in order. */
export function occurrencesBetween(rec: Recurrence, from: Date, to: Date): Occurrence[] {
  if (to.getTime() <= from.getTime()) return [];
  const last = localDate(to, rec.timeZone).add({ days: 1 - rec.offsetDays });
  return ruleDates(rec, earliestRuleDateReaching(rec, from), last)
    .map((date) => occurrenceOn(rec, date))
    .filter((o): o is Occurrence => o !== null && o.start.getTime() < to.getTime() && o.end.getTime() > from.getTime());
}

/** The occurrence that contains `t`, or else the first that starts after it; null when the rule has ended. */
export function nextOccurrence(rec: Recurrence, t: Date): Occurrence | null {
  const first = earliestRuleDateReaching(rec, t);
  const rule = ruleFrom(rec, first);
  // Occurrences come in the order of their dates, starts and ends alike: the first that ends after t is it.
  for (let date = rule.after(floating(first), true); date; date = rule.after(date, false)) {
    const occurrence = occurrenceOn(rec, fromFloating(date));
    if (occurrence && occurrence.end.getTime() > t.getTime()) return occurrence;
  }
  return null;
}

/** The occurrence containing `t` ([start, end)), or null. */
export function occurrenceAt(rec: Recurrence, t: Date): Occurrence | null {
  const next = nextOccurrence(rec, t);
  return next && next.start.getTime() <= t.getTime() ? next : null;
}

export const DEFAULT_RANGE_DAYS = 31;
export const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

/**
 * The range [from, to) an API caller asks to evaluate: `from` defaults to now, `to` to 31 days after `from`; at
 * most 366 days, so a list holds at most 367 occurrences (a rule picks at most one date a day).
 */
export function evaluationRange(from: Date | undefined, to: Date | undefined, now: Date): { from: Date; to: Date } {
  const start = from ?? now;
  const end = to ?? new Date(start.getTime() + DEFAULT_RANGE_DAYS * DAY_MS);
  if (end.getTime() <= start.getTime()) throw new DomainError("invalid-time-range", "`to` must be after `from`.");
  if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw new DomainError("invalid-time-range", `Ask for at most ${MAX_RANGE_DAYS} days at a time (from ${start.toISOString()} to ${end.toISOString()} is longer).`);
  }
  return { from: start, to: end };
}
