// The scheduler's moves of a booking, through the one writer (booking-transitions.ts), fenced on its lease and
// recorded as `system:scheduler:<owner>`. A fence that no longer holds means the lease is lost.
import type { TxClient } from "../db/booking-writes-repo.js";
import { deferBookings, wakeWaiting } from "../db/leases-repo.js";
import type { BookingState } from "../domain/booking-states.js";
import { transitionBookings, type BookingTransition } from "./booking-transitions.js";
import type { PlanDecisions } from "./planner-claim.js";

const actorOf = (owner: string) => `system:scheduler:${owner}`;

/**
 * Carries out the planner's decisions on claimed bookings, in the claim's transaction: admitted → running
 * (`execution.started`), missed (`execution.missed`, with `late`: those past the misfire rule), held
 * (`booking.held`); deferred ones keep their state, get their deferral and give their lease back. Returns the ids
 * that became running (not those cancelled meanwhile).
 */
export async function applyPlan(client: TxClient, owner: string, plan: PlanDecisions, late: { id: string; reason: string }[] = []): Promise<string[]> {
  const audit = (action: string) => ({ actor: actorOf(owner), requestId: null, action });
  const leased = { leaseOwner: owner };
  const transitions: BookingTransition[] = [
    ...plan.admit.map((id): BookingTransition => ({ id, fence: leased, to: "running", audit: audit("execution.started") })),
    ...[...late, ...plan.miss].map(({ id, reason }): BookingTransition => ({ id, fence: leased, to: "missed", reason, audit: audit("execution.missed") })),
    ...plan.hold.map(({ id, reason }): BookingTransition => ({ id, fence: leased, to: "held", reason, audit: audit("booking.held") })),
    ...plan.holdOthers.map(({ id, version, reason }): BookingTransition => ({ id, fence: { version }, to: "held", reason, audit: audit("booking.held") })),
  ];
  const results = await transitionBookings(client, transitions);
  await deferBookings(client, owner, plan.defer);
  return plan.admit.filter((_, i) => results[i].ok);
}

/** How an attempt leaves a leased booking: a final state, or the next attempt planned (`retry`). */
export interface ExecutionMove {
  id: string;
  to: BookingState;
  reason: string | null;
  retry?: { inMs: number; keepOperation: boolean };
  after?: Record<string, unknown>;
}

/**
 * Moves leased bookings at the end of an attempt, set-based: a final state (`execution.<state>`) or the next
 * attempt planned (`execution.retry-scheduled`, the lease given back). Operations that ended wake the bookings the
 * planner holds back for them (same placement or group). Returns, per move, whether our lease still held.
 */
export async function settleExecutions(client: TxClient, owner: string, moves: ExecutionMove[]): Promise<boolean[]> {
  const results = await transitionBookings(
    client,
    moves.map(({ id, to, reason, retry, after }) => ({
      id, to, reason, retry, fence: { leaseOwner: owner },
      audit: { actor: actorOf(owner), requestId: null, action: retry ? "execution.retry-scheduled" : `execution.${to}`, after },
    })),
  );
  await wakeWaiting(client, moves.filter((m, i) => results[i].ok && !m.retry && m.to !== "missed").map((m) => m.id));
  return results.map((r) => r.ok);
}
