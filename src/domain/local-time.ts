// Local wall-clock time in an IANA time zone, through the Temporal API (temporal-polyfill; Node 20–24 have no
// built-in Temporal). Every calendar and time-zone computation of the calendars goes through here or through
// Temporal directly: no hand-written offset or day arithmetic.
import { Temporal } from "temporal-polyfill";
import { DomainError } from "./errors.js";

export { Temporal };

/**
 * The zone's canonical spelling ("europe/berlin" → "Europe/Berlin"); throws `invalid-time-zone` for anything
 * that is not an IANA zone name. Fixed offsets ("+05:30") are refused: they know nothing of daylight saving.
 */
export function checkTimeZone(timeZone: string, pointer = "/timeZone"): string {
  let id: string | null = null;
  if (/^[A-Za-z]/.test(timeZone)) {
    try {
      id = new Temporal.ZonedDateTime(0n, timeZone).timeZoneId;
    } catch {
      id = null;
    }
  }
  if (!id) {
    throw new DomainError("invalid-time-zone", `${JSON.stringify(timeZone)} is not an IANA time zone; use a name such as "Europe/Berlin" or "America/New_York".`, { pointer });
  }
  return id;
}

/**
 * The instant at which a local wall-clock time happens in `timeZone`. A time that happens twice (the clocks go
 * back) is its first; a time that does not happen (the clocks go forward past it) becomes the first instant
 * after the gap, i.e. the moment of the transition.
 */
export function placeLocal(local: Temporal.PlainDateTime, timeZone: string): Temporal.ZonedDateTime {
  // In a fold, "earlier" is the first of the two. In a gap, "earlier" reads the time with the offset after the
  // gap, which lands before the transition: the next transition is then the end of the gap.
  const earlier = local.toZonedDateTime(timeZone, { disambiguation: "earlier" });
  if (Temporal.PlainDateTime.compare(earlier.toPlainDateTime(), local) === 0) return earlier;
  const transition = earlier.getTimeZoneTransition("next");
  if (!transition) throw new Error(`No transition after a gap at ${local.toString()} in ${timeZone}`);
  return transition;
}

export function toDate(zoned: Temporal.ZonedDateTime): Date {
  return new Date(zoned.epochMilliseconds);
}

/** An instant as local time with its offset, e.g. "2026-03-29T03:00:00+02:00". */
export function formatLocal(instant: Date, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone).toString({ timeZoneName: "never" });
}

/** An interval with its bounds also as local times with offsets, for the API. */
export function withLocalTimes<T extends { start: Date; end: Date }>(interval: T, timeZone: string): T & { localStart: string; localEnd: string } {
  return { ...interval, localStart: formatLocal(interval.start, timeZone), localEnd: formatLocal(interval.end, timeZone) };
}

/** The local calendar date of an instant in `timeZone`. */
export function localDate(instant: Date, timeZone: string): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone).toPlainDate();
}

/**
 * Parses a local date-time without offset ("2026-11-27T00:00", seconds optional); null when it is not one or
 * names a day that does not exist (2026-02-30).
 */
export function parseLocalDateTime(text: string): Temporal.PlainDateTime | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) return null;
  try {
    return Temporal.PlainDateTime.from(text, { overflow: "reject" });
  } catch {
    return null;
  }
}

/** Parses "YYYY-MM-DD"; null when it is not a date that exists. */
export function parseLocalDate(text: string): Temporal.PlainDate | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  try {
    return Temporal.PlainDate.from(text, { overflow: "reject" });
  } catch {
    return null;
  }
}

/** Parses a wall-clock time "HH:mm" (00:00–23:59); null otherwise. */
export function parseWallClock(text: string): Temporal.PlainTime | null {
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(text)) return null;
  return Temporal.PlainTime.from(text);
}
