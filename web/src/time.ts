// Times: the API speaks UTC; people read their browser's time zone, with UTC on hover.

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export const ZOOMS = [
  { id: "1d", label: "Day", span: DAY },
  { id: "3d", label: "3 days", span: 3 * DAY },
  { id: "1w", label: "Week", span: 7 * DAY },
  { id: "2w", label: "2 weeks", span: 14 * DAY },
  { id: "6w", label: "6 weeks", span: 42 * DAY },
] as const;
export type ZoomId = (typeof ZOOMS)[number]["id"];

export const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

const local = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dayLabel = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const hourLabel = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

export function localTime(iso: string | number | Date | null | undefined): string {
  return iso === null || iso === undefined ? "—" : local.format(new Date(iso));
}

export function utcTime(iso: string | number | Date): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** "3 Dec 2026, 10:00 – 7 Jan 2027, 10:00" in local time; UTC for a title attribute. */
export function localRange(start: string | null, end: string | null): string {
  return `${localTime(start)} – ${localTime(end)}`;
}

export function utcRange(start: string | null, end: string | null): string {
  return `${start ? utcTime(start) : "open"} – ${end ? utcTime(end) : "open"}`;
}

export const axisLabel = (t: number, span: number) => (span <= 3 * DAY ? hourLabel.format(t) : dayLabel.format(t));

/** `<input type="datetime-local">` value (local wall time) for an instant. */
export function toLocalInput(t: number): string {
  const d = new Date(t);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value is the browser's wall time; the API wants UTC. Null when empty or invalid. */
export function localInputToUtc(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** Axis ticks: every hour up to a day, every 6 hours up to 3 days, then daily or weekly, at local boundaries. */
export function ticks(start: number, span: number): number[] {
  const step = span <= DAY ? 2 * HOUR : span <= 3 * DAY ? 6 * HOUR : span <= 7 * DAY ? DAY : span <= 14 * DAY ? 2 * DAY : 7 * DAY;
  const first = new Date(start);
  if (step >= DAY) first.setHours(0, 0, 0, 0);
  else first.setMinutes(0, 0, 0);
  const out: number[] = [];
  for (let t = first.getTime(); t <= start + span; t += step) if (t >= start) out.push(t);
  return out;
}
