// After every sync: scheduled (and held) bookings whose VM's maintenance moved, vanished or completed end as
// `invalidated` or `not-needed` (src/domain/bookings-recheck.ts decides), and those a blackout now covers — a VM
// whose tags or resource group changed may now be picked by one — end `invalidated` naming it
// (src/domain/blackout-invalidation.ts). One transaction, set-based.
import type pg from "pg";
import { bookingsInBlackouts } from "../domain/blackout-invalidation.js";
import { recheckBooking } from "../domain/bookings-recheck.js";
import { blackoutsForBooking } from "./calendars.js";
import { lockScheduledBookings } from "../db/bookings-recheck-repo.js";
import { withTransaction } from "../db/transaction.js";
import { transitionBookings, type BookingTransition } from "./booking-transitions.js";

export interface RecheckResult {
  checked: number;
  invalidated: number;
  notNeeded: number;
}

export async function recheckScheduledBookings(pool: pg.Pool): Promise<RecheckResult> {
  return withTransaction(pool, async (client) => {
    // The blackouts lock before the bookings' rows, in the order a blackout's writer takes them (no deadlock).
    const blackouts = await blackoutsForBooking(client);
    const bookings = await lockScheduledBookings(client, { skipLocked: true });
    const decisions: BookingTransition[] = bookings.flatMap((b) => {
      const decision = recheckBooking(b.startAt, b.vm);
      const audit = { actor: "system:sync", requestId: null, action: `booking.${decision?.state}` };
      return decision ? [{ id: b.id, fence: { version: b.version }, to: decision.state, reason: decision.reason, audit }] : [];
    });
    const decided = new Set(decisions.map((d) => d.id));
    for (const { booking, reason } of bookingsInBlackouts(blackouts, bookings.filter((b) => !decided.has(b.id)))) {
      decisions.push({ id: booking.id, fence: { version: booking.version }, to: "invalidated", reason, audit: { actor: "system:sync", requestId: null, action: "booking.invalidated" } });
    }
    await transitionBookings(client, decisions);
    const count = (state: string) => decisions.filter((d) => d.to === state).length;
    return { checked: bookings.length, invalidated: count("invalidated"), notNeeded: count("not-needed") };
  });
}

/** The SyncDeps.afterSync hook: re-check after each run, log what changed. */
export function recheckAfterSync(pool: pg.Pool, log?: { info(obj: object, msg: string): void }) {
  return async (run: { id: string }): Promise<void> => {
    const result = await recheckScheduledBookings(pool);
    if (result.invalidated || result.notNeeded) log?.info({ syncRunId: run.id, ...result }, "bookings re-checked after sync");
  };
}
