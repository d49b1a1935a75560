// Answered booking batches in SQL: written in the batch's transaction, read back to replay an Idempotency-Key.
import type { Queryable } from "./bookings-repo.js";

/** An item's result as stored: the booking created, or the problem's code, detail and extension members. */
export type StoredBatchItem =
  | { index: number; bookingId: string }
  | { index: number; code: string; detail: string; extensions: Record<string, unknown> };

export interface BookingBatchRow {
  id: string;
  principalId: string;
  idempotencyKey: string | null;
  requestHash: string;
  atomic: boolean;
  results: StoredBatchItem[];
  createdBy: string;
}

export async function insertBookingBatch(db: Queryable, b: BookingBatchRow): Promise<void> {
  await db.query(
    `INSERT INTO booking_batches (id, principal_id, idempotency_key, request_hash, atomic, results, created_by) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
    [b.id, b.principalId, b.idempotencyKey, b.requestHash, b.atomic, JSON.stringify(b.results), b.createdBy],
  );
}

export async function findBookingBatch(db: Queryable, principalId: string, idempotencyKey: string): Promise<BookingBatchRow | null> {
  const { rows } = await db.query<BookingBatchRow>(
    `SELECT id, principal_id AS "principalId", idempotency_key AS "idempotencyKey", request_hash AS "requestHash", atomic, results, created_by AS "createdBy"
     FROM booking_batches WHERE principal_id = $1 AND idempotency_key = $2`,
    [principalId, idempotencyKey],
  );
  return rows[0] ?? null;
}
