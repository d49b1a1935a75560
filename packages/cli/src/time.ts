// Times as people type them in pipelines: RFC 3339 with an offset (sent as is), a wall-clock time read in an
// IANA time zone (--tz, else this machine's zone), or `+<duration>` from now.
import { UsageError } from "./exit-codes.js";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `30s`, `10m`, `2h`, `1d`. */
export function parseDuration(text: string, what: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new UsageError(`${what} must be a duration like 30s, 10m or 2h, got "${text}"`);
  return Number(match[1]) * UNITS[match[2]];
}

const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
const WALL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** An RFC 3339 time with an offset for the API. */
export function parseTime(text: string, timeZone: string | undefined, now = Date.now()): string {
  const value = text.trim();
  if (value.startsWith("+")) {
    if (timeZone) throw new UsageError(`--tz does not apply to a relative time ("${text}")`);
    return new Date(now + parseDuration(value.slice(1), "a relative time")).toISOString();
  }
  if (WITH_OFFSET.test(value)) {
    if (timeZone) throw new UsageError(`"${text}" has an offset already; drop --tz or the offset`);
    if (Number.isNaN(Date.parse(value))) throw new UsageError(`"${text}" is not a valid time`);
    return value.replace(" ", "T");
  }
  const wall = WALL.exec(value);
  if (!wall) throw new UsageError(`the time must look like 2026-12-01T22:00 (with --tz or this machine's zone), 2026-12-01T22:00:00+01:00 or +2h; got "${text}"`);
  const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [y, mo, d, h, mi, s] = wall.slice(1).map((n) => Number(n ?? 0));
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(asUtc).getUTCDate() !== d || mo > 12 || h > 23 || mi > 59 || s > 59) throw new UsageError(`"${text}" is not a valid time`);
  // The zone's offset at that wall time; asked twice so a time near a DST change gets the offset in force then.
  let utc = asUtc - offsetAt(asUtc, zone);
  utc = asUtc - offsetAt(utc, zone);
  return new Date(utc).toISOString();
}

export function checkTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return timeZone;
  } catch {
    throw new UsageError(`--tz must be an IANA time zone such as Europe/Amsterdam or UTC, got "${timeZone}"`);
  }
}

/** How far `zone`'s wall clock is ahead of UTC at instant `t`, in ms. */
function offsetAt(t: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - Math.floor(t / 1000) * 1000;
}
