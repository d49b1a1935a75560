// The statements that change bookings, used only by the one writer (src/services/booking-transitions.ts): lock
// the rows, update them set-based, insert a new one. Lease bookkeeping that changes no state (claim, heartbeat,
// release, the stored operation) stays in leases-repo.ts; test/unit/one-writer.test.ts keeps it that way.
import type pg from "pg";
import type { BookingState } from "../domain/booking-states.js";
import { BOOKING_COLUMNS, type BookingRow } from "./bookings-repo.js";

/** pg client inside a transaction: the writer's statements must commit together. */
export type TxClient = Pick<pg.PoolClient, "query">;

export interface LockedBooking {
  id: string;
  state: BookingState;
  version: number;
  startAt: Date;
  note: string | null;
  stateReason: string | null;
  leaseOwner: string | null;
  /** A lease that has not expired (database clock). */
  leased: boolean;
}

/** Locks the bookings (in id order, so concurrent writers cannot deadlock) and returns them as they are. */
export async function lockBookings(client: TxClient, ids: string[]): Promise<Map<string, LockedBooking>> {
  const { rows } = await client.query<LockedBooking>(
    `SELECT id, state, version, start_at AS "startAt", note, state_reason AS "stateReason", lease_owner AS "leaseOwner",
       (lease_owner IS NOT NULL AND lease_expires_at >= now()) AS leased
     FROM bookings WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

export interface BookingUpdate {
  id: string;
  state: BookingState;
  startAt: Date | null;
  /** undefined: unchanged. */
  note?: string | null;
  /** undefined: unchanged. */
  reason?: string | null;
  /** A final state: finished now, no lease, no operation, no next attempt. */
  final: boolean;
  /** Give the lease back (the next attempt is due later, any replica may take it). */
  releaseLease: boolean;
  /** Plan the next attempt this long from now (database clock). */
  retryInMs: number | null;
  /** Keep the stored operation for the next attempt to resume (it failed while following it). */
  keepOperation: boolean;
}

const UPDATE = `
UPDATE bookings AS b SET
  state = u.state,
  start_at = coalesce(u.start_at, b.start_at),
  note = CASE WHEN u.set_note THEN u.note ELSE b.note END,
  state_reason = CASE WHEN u.set_reason THEN u.reason ELSE b.state_reason END,
  version = b.version + 1,
  updated_at = now(),
  finished_at = CASE WHEN u.final THEN now() ELSE b.finished_at END,
  lease_owner = CASE WHEN u.final OR u.release_lease THEN NULL ELSE b.lease_owner END,
  lease_expires_at = CASE WHEN u.final OR u.release_lease THEN NULL ELSE b.lease_expires_at END,
  next_attempt_at = CASE WHEN u.final THEN NULL WHEN u.retry_in_ms IS NOT NULL THEN now() + u.retry_in_ms * interval '1 millisecond' ELSE b.next_attempt_at END,
  operation_state = CASE WHEN u.final THEN NULL WHEN u.retry_in_ms IS NOT NULL AND NOT u.keep_operation THEN NULL ELSE b.operation_state END,
  -- a planner deferral holds only while the booking stays scheduled at the same time; a resumed (held) booking is
  -- due now, and its lateness (the misfire rule) counts from now, not from its booked time
  deferred_until = CASE WHEN b.state = 'held' AND u.state = 'scheduled' THEN now()
    WHEN u.state = 'scheduled' AND u.start_at IS NULL THEN b.deferred_until END,
  deferral_reason = CASE WHEN b.state = 'held' AND u.state = 'scheduled' THEN 'held until its maintenance group was resumed'
    WHEN u.state = 'scheduled' AND u.start_at IS NULL THEN b.deferral_reason END
FROM jsonb_to_recordset($1::jsonb) AS u(id uuid, state text, start_at timestamptz, set_note boolean, note text, set_reason boolean,
  reason text, final boolean, release_lease boolean, retry_in_ms bigint, keep_operation boolean)
WHERE b.id = u.id
RETURNING ${BOOKING_COLUMNS}`;

export async function updateBookings(client: TxClient, updates: BookingUpdate[]): Promise<BookingRow[]> {
  if (updates.length === 0) return [];
  const records = updates.map((u) => ({
    id: u.id, state: u.state, start_at: u.startAt?.toISOString() ?? null, set_note: u.note !== undefined, note: u.note ?? null,
    set_reason: u.reason !== undefined, reason: u.reason ?? null, final: u.final, release_lease: u.releaseLease,
    retry_in_ms: u.retryInMs === null ? null : Math.max(0, Math.round(u.retryInMs)), keep_operation: u.keepOperation,
  }));
  return (await client.query<BookingRow>(UPDATE, [JSON.stringify(records)])).rows;
}

export interface NewBookingRow {
  virtualMachineId: string;
  startAt: Date;
  note: string | null;
  createdBy: string;
}

/**
 * New `scheduled` bookings, at most one per VM, in one statement; returns the rows written. A VM that has an active
 * booking gets none: ON CONFLICT skips it, and the only unique key a new row can meet is the partial unique index
 * bookings_one_active_per_vm (its id is fresh). A concurrent create of the same VM that has not committed yet makes
 * the statement wait for it. Rows go in VM order, so two batches that share VMs wait for each other instead of
 * deadlocking.
 */
export async function insertBookingRows(client: TxClient, bookings: NewBookingRow[]): Promise<BookingRow[]> {
  if (bookings.length === 0) return [];
  const records = bookings.map((b) => ({ virtual_machine_id: b.virtualMachineId, start_at: b.startAt.toISOString(), note: b.note, created_by: b.createdBy }));
  const { rows } = await client.query<BookingRow>(
    `INSERT INTO bookings AS b (id, virtual_machine_id, start_at, state, note, created_by)
     SELECT gen_random_uuid(), r.virtual_machine_id, r.start_at, 'scheduled', r.note, r.created_by
     FROM jsonb_to_recordset($1::jsonb) AS r(virtual_machine_id uuid, start_at timestamptz, note text, created_by text)
     ORDER BY r.virtual_machine_id
     ON CONFLICT DO NOTHING
     RETURNING ${BOOKING_COLUMNS}`,
    [JSON.stringify(records)],
  );
  return rows;
}
