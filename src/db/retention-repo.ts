// Retention deletes (house style 9): one short statement each, at most `limit` rows, the rows locked with SKIP
// LOCKED first, so a replica running the same prune at once takes other rows (or none) and nothing waits long.
// A row that changed before it was locked is re-checked against the WHERE (READ COMMITTED re-evaluates locked rows):
// a delivery redelivered meanwhile is pending again and stays.
import type { Queryable } from "./leases-repo.js";

const count = async (q: Queryable, sql: string, params: unknown[]) => (await q.query(sql, params)).rowCount ?? 0;

/** Deliveries that are final (`delivered` or `failed`) and were last attempted before `cutoff`. */
export function deleteFinalDeliveries(q: Queryable, cutoff: Date, limit: number): Promise<number> {
  return count(q,
    `DELETE FROM webhook_deliveries WHERE id IN (
       SELECT id FROM webhook_deliveries WHERE state <> 'pending' AND last_attempt_at < $1
       ORDER BY last_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [cutoff, limit]);
}

/**
 * Events from before `cutoff` that no delivery refers to any more (deleteFinalDeliveries went first, so a pending,
 * leased or recently finished delivery keeps its event), already fanned out (else deliveries are still to come)
 * and numbered for the event stream, but never the one with the largest position: numbering continues from it
 * (db/event-stream-repo.ts), and GET /v1/event-stream compares a resume point with it. Per-subject sequences are
 * counted in `event_subjects`, which is kept, so a subject's next event continues its numbering.
 */
export function deleteOldEvents(q: Queryable, cutoff: Date, limit: number): Promise<number> {
  return count(q,
    `DELETE FROM outbox_events WHERE id IN (
       SELECT e.id FROM outbox_events e
       WHERE e.time < $1 AND e.fanned_out_at IS NOT NULL AND e.position IS NOT NULL
         AND e.position < (SELECT max(position) FROM outbox_events)
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)
       ORDER BY e.time LIMIT $2 FOR UPDATE OF e SKIP LOCKED)`,
    [cutoff, limit]);
}

/** Idempotency-Keys of single creates made before `cutoff` (the bookings stay). */
export function deleteOldIdempotencyKeys(q: Queryable, cutoff: Date, limit: number): Promise<number> {
  return count(q,
    `DELETE FROM idempotency_keys WHERE (principal_id, key) IN (
       SELECT principal_id, key FROM idempotency_keys WHERE created_at < $1
       ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [cutoff, limit]);
}

/** Answered batches (kept only to replay their answer to a retry) made before `cutoff`. */
export function deleteOldBookingBatches(q: Queryable, cutoff: Date, limit: number): Promise<number> {
  return count(q,
    `DELETE FROM booking_batches WHERE id IN (
       SELECT id FROM booking_batches WHERE created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [cutoff, limit]);
}
