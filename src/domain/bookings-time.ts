// `startAt` as callers send it: RFC 3339 with an explicit offset. JavaScript's Date.parse is too lenient for a
// contract (it takes `2026-02-30`, `24:00` and, worse, times without an offset as local time), so the
// grammar and the calendar are checked here first.
import { DomainError } from "./errors.js";

// RFC 3339 §5.6 date-time; its NOTE allows a space for `T`, as ajv's `date-time` format (used for the list
// filters) does. Fractions finer than milliseconds are truncated: bookings are stored with ms precision.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

const EXAMPLE = "2026-11-27T17:00:00Z or 2026-11-27T18:00:00+01:00";

function invalid(raw: string, why: string): DomainError {
  return new DomainError("invalid-start-at", `startAt "${raw.slice(0, 64)}" ${why}. Send an RFC 3339 time with an offset, e.g. ${EXAMPLE}.`);
}

/** Parses an RFC 3339 time with offset into a UTC instant (ms precision), or throws `invalid-start-at`. */
export function parseStartAt(raw: string): Date {
  const m = RFC3339.exec(raw);
  if (!m) {
    const noOffset = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(raw);
    throw invalid(raw, noOffset ? "has no UTC offset" : "is not an RFC 3339 date-time");
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const ms = Number((m[7] ?? ".0").slice(1, 4).padEnd(3, "0"));
  const offsetMinutes = m[8].toUpperCase() === "Z" ? 0 : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  // Date.UTC rolls over (Feb 30 → Mar 2, 24:00 → next day); a rolled-over value is not the date that was sent.
  const sameFields =
    local.getUTCFullYear() === year && local.getUTCMonth() === month - 1 && local.getUTCDate() === day &&
    local.getUTCHours() === hour && local.getUTCMinutes() === minute && local.getUTCSeconds() === second;
  if (!sameFields) throw invalid(raw, "is not a valid calendar date and time");
  if (m[10] !== undefined && (Number(m[10]) > 23 || Number(m[11]) > 59)) throw invalid(raw, "has an invalid UTC offset");
  return new Date(local.getTime() - offsetMinutes * 60_000);
}
