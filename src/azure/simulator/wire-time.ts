// Azure sends maintenance times with a local offset (e.g. `2020-08-31T17:00:00-07:00`), so the simulator does too:
// clients must normalise them to the same UTC instant.

/** Formats an instant as ISO 8601 with the given UTC offset in minutes (0 → `Z`). Seconds precision. */
export function isoWithOffset(at: Date | number, offsetMinutes = 0): string {
  const ms = typeof at === "number" ? at : at.getTime();
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  if (offsetMinutes === 0) return `${local}Z`;
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${local}${sign}${hh}:${mm}`;
}
