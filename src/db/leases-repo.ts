// Leasing SQL of the scheduler (house style 9): one short statement per function, parameterised, every write after
// the claim fenced on `lease_owner`, every due/lease comparison on the database clock `now()`. These only keep
// leases (claim, heartbeat, release, the stored operation); every change of a booking's state goes through the one
// writer (src/services/booking-transitions.ts), fenced on the same lease. Each change bumps `version` (the
// bookings API's ETag) — except the heartbeat, which only extends the lease and changes nothing a client can see.
import type pg from "pg";

export type Queryable = Pick<pg.Pool, "query">;

export class LeaseLostError extends Error {
  constructor(readonly bookingId: string) {
    super(`Lease on booking ${bookingId} lost: another owner took it over or its state changed`);
    this.name = "LeaseLostError";
  }
}

export interface ClaimedRow {
  id: string;
  /** `scheduled`: not admitted yet (see admitBookings in execution-transitions.ts); `running`: resumed (retry or takeover). */
  state: "scheduled" | "running";
  start_at: Date;
  operation_state: string | null;
  virtual_machine_id: string;
  subscription_id: string;
  resource_group: string;
  name: string;
  scale_set_name: string | null;
  scale_set_instance_id: string | null;
  self_service_window_end: Date | null;
  db_now: Date;
  /** The owner whose lease had expired: this claim takes the booking over from a process that stopped or stalled. */
  previous_owner: string | null;
}

// Claimable: a scheduled booking whose time has come, or a running one whose next attempt is due — and either
// way nobody holds a live lease (a crashed owner's lease expires; a booking waiting on backoff has none).
const CLAIM = `
WITH due AS (
  SELECT id, lease_owner AS previous_owner FROM bookings
  WHERE (state = 'scheduled' AND start_at <= now() OR state = 'running' AND coalesce(next_attempt_at, start_at) <= now())
    AND (lease_owner IS NULL OR lease_expires_at < now())
  ORDER BY start_at, id
  LIMIT $3
  FOR UPDATE SKIP LOCKED
)
UPDATE bookings b
SET lease_owner = $1, lease_expires_at = now() + $2 * interval '1 millisecond', version = b.version + 1, updated_at = now()
FROM due, virtual_machines v LEFT JOIN maintenance_statuses m ON m.virtual_machine_id = v.id
WHERE b.id = due.id AND v.id = b.virtual_machine_id
RETURNING b.id, b.state, b.start_at, b.operation_state, b.virtual_machine_id, v.subscription_id, v.resource_group, v.name,
  v.scale_set_name, v.scale_set_instance_id, m.self_service_window_end, now() AS db_now, due.previous_owner`;

export async function claimDue(q: Queryable, owner: string, leaseMs: number, limit: number): Promise<ClaimedRow[]> {
  return (await q.query<ClaimedRow>(CLAIM, [owner, leaseMs, limit])).rows;
}

/** Stores the accepted operation on the booking and its attempt in one statement, before anyone waits on it. */
export async function storeOperation(q: Queryable, id: string, owner: string, attemptId: string, state: string, operationId: string | null): Promise<void> {
  const { rowCount } = await q.query(
    `WITH b AS (
       UPDATE bookings SET operation_state = $3, version = version + 1, updated_at = now()
       WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING id)
     UPDATE execution_attempts SET operation_id = $5 WHERE id = $4 AND booking_id IN (SELECT id FROM b)`,
    [id, owner, state, attemptId, operationId],
  );
  if (rowCount !== 1) throw new LeaseLostError(id);
}

/**
 * Heartbeat: extends our leases on the bookings still being worked on (`ids`); returns those still held. A lease
 * left behind by work that ended without its final write is not renewed, so it expires and another replica (whose
 * start closes the open attempt as Interrupted) retakes the booking — max attempts then applies.
 */
export async function renewLeases(q: Queryable, owner: string, leaseMs: number, ids: string[]): Promise<Set<string>> {
  const { rows } = await q.query<{ id: string }>(
    `UPDATE bookings SET lease_expires_at = now() + $2 * interval '1 millisecond'
     WHERE lease_owner = $1 AND state IN ('scheduled', 'running') AND id = ANY($3::uuid[]) RETURNING id`,
    [owner, leaseMs, ids],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Graceful stop: gives every booking this owner holds back at once (a running one is due again immediately). A
 * booking that reached a final state while claimed (cancelled, invalidated) is never rewritten.
 */
export async function releaseLeases(q: Queryable, owner: string): Promise<number> {
  const { rowCount } = await q.query(
    `UPDATE bookings SET lease_owner = NULL, lease_expires_at = NULL,
       next_attempt_at = CASE WHEN state = 'running' THEN coalesce(next_attempt_at, now()) END,
       version = version + 1, updated_at = now()
     WHERE lease_owner = $1 AND state IN ('scheduled', 'running')`,
    [owner],
  );
  return rowCount ?? 0;
}
