// What a blackout, new or changed, means for bookings still `scheduled`: those whose start it covers, on VMs its
// selector picks, end `invalidated` — judged by the start instant, as checkBookable judges a booking being made.
// Pure; the service locks and loads the bookings and writes the decisions (src/services/blackout-enforcement.ts).
import { availabilityBetween, nextAllowedTime } from "./availability.js";
import { blackoutIntervals, type Blackout } from "./blackouts.js";
import { intervalAt } from "./intervals.js";
import { matchesSelector, type SelectableVm } from "./vm-selector.js";

export interface ScheduledStart {
  startAt: Date;
  vm: SelectableVm;
}

export interface Invalidation<B> {
  booking: B;
  /** Names the blackout, and when the VM may next start maintenance (for booking again). */
  reason: string;
}

const DAY_MS = 86_400_000;
/** How far to look for the next allowed time: as `blackoutAt` looks. */
const HORIZON_MS = 366 * DAY_MS;

function span(times: readonly number[]): { from: Date; to: Date } {
  let min = Infinity;
  let max = -Infinity;
  for (const t of times) [min, max] = [Math.min(min, t), Math.max(max, t)];
  return { from: new Date(min), to: new Date(max + 1) };
}

/**
 * The scheduled bookings `blackout` covers, each with its reason. `all` are every blackout as now stored (the
 * next allowed time follows adjacent and overlapping ones); `blackout` counts as stored whether or not it is
 * among them. Each calendar is evaluated once for all the bookings, not once per booking.
 */
export function bookingsToInvalidate<B extends ScheduledStart>(blackout: Blackout, all: readonly Blackout[], bookings: readonly B[]): Invalidation<B>[] {
  const candidates = bookings.filter((b) => matchesSelector(blackout.selector, b.vm));
  if (candidates.length === 0) return [];
  const { from, to } = span(candidates.map((b) => b.startAt.getTime()));
  const intervals = blackoutIntervals(blackout, from, to);
  const covered = candidates.filter((b) => intervalAt(intervals, b.startAt) !== null);
  if (covered.length === 0) return [];
  const range = span(covered.map((b) => b.startAt.getTime()));
  const calendars = [blackout, ...all.filter((b) => b.name !== blackout.name)];
  const availability = availabilityBetween(null, calendars, range.from, new Date(range.to.getTime() + HORIZON_MS));
  return covered.map((booking) => {
    const next = nextAllowedTime(availability, booking.vm, booking.startAt);
    const again = next ? `maintenance may start again from ${next.toISOString()}` : "no time in the following year is free of blackouts";
    return { booking, reason: `Blackout "${blackout.name}" covers startAt ${booking.startAt.toISOString()} for this virtual machine; book again outside it (${again}).` };
  });
}

/**
 * The scheduled bookings any stored blackout covers (the re-check after a sync: a VM whose tags or resource group
 * changed may now be picked by a blackout it was not picked by when it was booked). Each booking once, for the
 * first blackout (in `all`'s order) that covers it.
 */
export function bookingsInBlackouts<B extends ScheduledStart>(all: readonly Blackout[], bookings: readonly B[]): Invalidation<B>[] {
  let rest = bookings;
  const found: Invalidation<B>[] = [];
  for (const blackout of all) {
    const covered = bookingsToInvalidate(blackout, all, rest);
    if (covered.length === 0) continue;
    found.push(...covered);
    const taken = new Set(covered.map((c) => c.booking));
    rest = rest.filter((b) => !taken.has(b));
  }
  return found;
}
