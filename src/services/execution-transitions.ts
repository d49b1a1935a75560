// The scheduler's moves of a booking, through the one writer (booking-transitions.ts), fenced on its lease and
// recorded as `system:scheduler:<owner>`. A fence that no longer holds means the lease is lost.
import type pg from "pg";
import type { TxClient } from "../db/booking-writes-repo.js";
import { LeaseLostError } from "../db/leases-repo.js";
import { withTransaction } from "../db/transaction.js";
import type { BookingState } from "../domain/booking-states.js";
import { transitionBookings, type BookingTransition } from "./booking-transitions.js";

const actorOf = (owner: string) => `system:scheduler:${owner}`;

/** Admits claimed scheduled bookings (→ running, `execution.started`); returns the ids that moved (not those cancelled meanwhile). */
export async function admitBookings(pool: pg.Pool, owner: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const transitions: BookingTransition[] = ids.map((id) => ({
    id, fence: { leaseOwner: owner }, to: "running", audit: { actor: actorOf(owner), requestId: null, action: "execution.started" },
  }));
  const results = await withTransaction(pool, (client) => transitionBookings(client, transitions));
  return ids.filter((_, i) => results[i].ok);
}

async function move(client: TxClient, owner: string, transition: Omit<BookingTransition, "fence" | "audit"> & { action: string; after?: Record<string, unknown> }): Promise<void> {
  const { action, after, ...rest } = transition;
  const [result] = await transitionBookings(client, [{ ...rest, fence: { leaseOwner: owner }, audit: { actor: actorOf(owner), requestId: null, action, after } }]);
  if (!result.ok) throw new LeaseLostError(transition.id);
}

/** Ends a leased booking in a final state (`execution.<state>`). Throws LeaseLostError when the lease is not ours. */
export function finishExecution(client: TxClient, owner: string, id: string, to: BookingState, reason: string | null, after?: Record<string, unknown>): Promise<void> {
  return move(client, owner, { id, to, reason, action: `execution.${to}`, after });
}

/** Plans the next attempt of a running booking and gives its lease back (`execution.retry-scheduled`). */
export function planRetry(client: TxClient, owner: string, id: string, retry: { inMs: number; keepOperation: boolean }, reason: string, after?: Record<string, unknown>): Promise<void> {
  return move(client, owner, { id, to: "running", reason, retry, action: "execution.retry-scheduled", after });
}
