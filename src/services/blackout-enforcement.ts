// A blackout written over scheduled bookings: the ones it covers end `invalidated`, through the one writer, in the
// blackout's own transaction — so no crash can leave the blackout committed and its bookings still scheduled.
// The caller holds the blackouts lock exclusively (lockBlackouts), so no booking can be made or moved into the
// blackout meanwhile. Booking again is for whoever owns the booking — or, when auto-booking applies, for the planner,
// which gets the invalidated bookings back (the hook: putCalendarDefinition's `invalidated`).
import type { AuditContext } from "../db/audit-repo.js";
import type { TxClient } from "../db/booking-writes-repo.js";
import type { BookingRow } from "../db/bookings-repo.js";
import { lockScheduledBookings } from "../db/bookings-recheck-repo.js";
import { bookingsToInvalidate } from "../domain/blackout-invalidation.js";
import type { Blackout } from "../domain/blackouts.js";
import { transitionBookings } from "./booking-transitions.js";

/**
 * Invalidates the scheduled bookings `blackout` covers; returns them as written. The actor is whoever wrote the
 * blackout (the admin, with the request's ids), so the audit trail says who caused it and the request id ties each
 * `booking.invalidated` to the `blackout.created` / `blackout.replaced` event; the reason names the blackout.
 */
export async function invalidateCoveredBookings(client: TxClient, blackout: Blackout, all: readonly Blackout[], audit: AuditContext): Promise<BookingRow[]> {
  // Waits for bookings the scheduler is claiming right now: one claimed but not yet started is still stopped.
  const scheduled = await lockScheduledBookings(client, { skipLocked: false });
  const decisions = bookingsToInvalidate(blackout, all, scheduled);
  const results = await transitionBookings(
    client,
    decisions.map(({ booking, reason }) => ({
      id: booking.id, fence: { version: booking.version }, to: "invalidated", reason,
      audit: { actor: audit.actor, requestId: audit.requestId, clientRequestId: audit.clientRequestId, action: "booking.invalidated", after: { blackout: blackout.name } },
    })),
  );
  return results.flatMap((r) => (r.ok ? [r.row] : []));
}
