// Leasing SQL of the scheduler (house style 9): one short statement per function, parameterised, every write after
// the claim fenced on `lease_owner`, every due/lease comparison on the database clock `now()`. These only keep
// leases (claim, heartbeat, release, the stored operation, the planner's deferrals, which give a lease back until
// a later time); every change of a booking's state goes through the one writer (src/services/booking-transitions.ts),
// fenced on the same lease. Each change bumps `version` (the bookings API's ETag) — except the heartbeat and the
// deferrals, which change nothing a client may have read before writing.
import type pg from "pg";
import { PLACEMENT_SQL } from "./planner-repo.js";

export type Queryable = Pick<pg.Pool, "query">;

export class LeaseLostError extends Error {
  constructor(readonly bookingId: string) {
    super(`Lease on booking ${bookingId} lost: another owner took it over or its state changed`);
    this.name = "LeaseLostError";
  }
}

export interface ClaimedRow {
  id: string;
  /** `scheduled`: not admitted yet (see applyPlan in execution-transitions.ts); `running`: resumed (retry or takeover). */
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
  /** Set when the planner held it back before: it was due again at this time. */
  deferred_until: Date | null;
  db_now: Date;
  /** The owner whose lease had expired: this claim takes the booking over from a process that stopped or stalled. */
  previous_owner: string | null;
}

// Claimable: a scheduled booking whose time has come (or, held back by the planner, whose deferral is up), or a
// running one whose next attempt is due — and either way nobody holds a live lease (a crashed owner's lease
// expires; a booking waiting on backoff has none). A lease is bookkeeping a client never sees: no version bump.
const CLAIM = `
WITH due AS (
  SELECT id, lease_owner AS previous_owner FROM bookings
  WHERE (state = 'scheduled' AND coalesce(deferred_until, start_at) <= now() OR state = 'running' AND coalesce(next_attempt_at, start_at) <= now())
    AND (lease_owner IS NULL OR lease_expires_at < now())
  ORDER BY coalesce(deferred_until, next_attempt_at, start_at), start_at, id
  LIMIT $3
  FOR UPDATE SKIP LOCKED
)
UPDATE bookings b
SET lease_owner = $1, lease_expires_at = now() + $2 * interval '1 millisecond'
FROM due, virtual_machines v LEFT JOIN maintenance_statuses m ON m.virtual_machine_id = v.id
WHERE b.id = due.id AND v.id = b.virtual_machine_id
RETURNING b.id, b.state, b.start_at, b.operation_state, b.virtual_machine_id, v.subscription_id, v.resource_group, v.name,
  v.scale_set_name, v.scale_set_instance_id, m.self_service_window_end, b.deferred_until, now() AS db_now, due.previous_owner`;

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
     WHERE lease_owner = $1 AND state IN ('scheduled', 'held', 'running') AND id = ANY($3::uuid[]) RETURNING id`,
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
     WHERE lease_owner = $1 AND state IN ('scheduled', 'held', 'running')`,
    [owner],
  );
  return rowCount ?? 0;
}

/**
 * Holds claimed bookings back: when the planner expects to start them and why, and their lease given back so they
 * are claimed again at that time. Not a state change (they stay scheduled) and no version bump: a deferral must not
 * make an owner's If-Match fail.
 */
export async function deferBookings(q: Queryable, owner: string, deferrals: { id: string; until: Date; reason: string }[]): Promise<void> {
  if (deferrals.length === 0) return;
  await q.query(
    `UPDATE bookings b SET deferred_until = d.until, deferral_reason = d.reason, lease_owner = NULL, lease_expires_at = NULL
     FROM jsonb_to_recordset($2::jsonb) AS d(id uuid, until timestamptz, reason text)
     WHERE b.id = d.id AND b.lease_owner = $1 AND b.state = 'scheduled'`,
    [owner, JSON.stringify(deferrals)],
  );
}

/**
 * An operation ended: the bookings waiting on its placement, its groups or groups that run after them are looked
 * at again now, not at their estimated time (the estimate is only a guess).
 */
export async function wakeWaiting(q: Queryable, bookingIds: string[]): Promise<void> {
  if (bookingIds.length === 0) return;
  await q.query(
    `WITH done AS (
       SELECT v.id AS vm, ${PLACEMENT_SQL} AS placement FROM bookings b JOIN virtual_machines v ON v.id = b.virtual_machine_id WHERE b.id = ANY($1::uuid[]))
     UPDATE bookings w SET deferred_until = now()
     FROM virtual_machines v, done
     WHERE w.state = 'scheduled' AND w.deferred_until > now() AND v.id = w.virtual_machine_id
       AND (${PLACEMENT_SQL} = done.placement
         OR EXISTS (SELECT 1 FROM maintenance_group_members a JOIN maintenance_group_members o ON o.group_name = a.group_name
                    WHERE a.virtual_machine_id = done.vm AND o.virtual_machine_id = v.id)
         OR EXISTS (SELECT 1 FROM maintenance_group_members a JOIN maintenance_groups g ON g.policy->'after' ? a.group_name
                    JOIN maintenance_group_members o ON o.group_name = g.name
                    WHERE a.virtual_machine_id = done.vm AND o.virtual_machine_id = v.id))`,
    [bookingIds],
  );
}
