// After every sync: scheduled bookings whose VM's maintenance moved, vanished or completed end as
// `invalidated` or `not-needed` (src/domain/bookings-recheck.ts decides). One transaction, set-based.
import type pg from "pg";
import { recheckBooking } from "../domain/bookings-recheck.js";
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
    const bookings = await lockScheduledBookings(client);
    const decisions: BookingTransition[] = bookings.flatMap((b) => {
      const decision = recheckBooking(b.startAt, b.vm);
      const audit = { actor: "system:sync", requestId: null, action: `booking.${decision?.state}` };
      return decision ? [{ id: b.id, fence: { version: b.version }, to: decision.state, reason: decision.reason, audit }] : [];
    });
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
