// Execution attempt rows and the VM's "skipped" mark. Writes are fenced on the booking's lease like leases-repo.
import { OPERATION_LOST_CODE, SUCCEEDED_NOT_SHOWN_CODE, type AttemptOutcome } from "../domain/execution.js";
import type { Queryable } from "./leases-repo.js";
import { LeaseLostError } from "./leases-repo.js";

export interface AttemptRow {
  id: string;
  number: number;
  /** An earlier attempt may have sent performMaintenance: it has an operation id, was interrupted, or lost it. */
  prior_start: boolean;
  /** An earlier attempt's operation ended Succeeded: this attempt must never send performMaintenance again. */
  operation_succeeded: boolean;
}

export const INTERRUPTED_CODE = "Interrupted";

// One statement: closes attempts a crashed owner left open, then numbers the new one after all earlier ones.
const START_ATTEMPT = `
WITH lease AS (SELECT id FROM bookings WHERE id = $1 AND lease_owner = $2 AND state = 'running'),
closed AS (
  UPDATE execution_attempts SET finished_at = now(), outcome = 'retryable-error', error_code = '${INTERRUPTED_CODE}',
    error_message = 'The process working on this attempt stopped before it ended'
  WHERE booking_id IN (SELECT id FROM lease) AND finished_at IS NULL RETURNING id),
prior AS (
  SELECT max(number) AS last, coalesce(bool_or(operation_id IS NOT NULL OR finished_at IS NULL OR error_code = $4), false) AS started,
    coalesce(bool_or(error_code = $5), false) AS succeeded
  FROM execution_attempts WHERE booking_id = $1)
INSERT INTO execution_attempts (id, booking_id, number, started_at, operation_id)
SELECT gen_random_uuid(), lease.id, coalesce(prior.last, 0) + 1, now(), $3 FROM lease, prior
RETURNING id, number, (SELECT started FROM prior) AS prior_start, (SELECT succeeded FROM prior) AS operation_succeeded`;

/** Records a new attempt before any ARM call of it. `operationId`: set when the attempt resumes an operation. */
export async function startAttempt(q: Queryable, bookingId: string, owner: string, operationId: string | null): Promise<AttemptRow> {
  const { rows } = await q.query<AttemptRow>(START_ATTEMPT, [bookingId, owner, operationId, OPERATION_LOST_CODE, SUCCEEDED_NOT_SHOWN_CODE]);
  if (rows.length !== 1) throw new LeaseLostError(bookingId);
  return rows[0];
}

/** The attempt still following an operation (its owner crashed or stopped while waiting), if any. */
export async function findOpenOperationAttempt(q: Queryable, bookingId: string): Promise<AttemptRow | null> {
  const { rows } = await q.query<AttemptRow>(
    `SELECT id, number, true AS prior_start, false AS operation_succeeded FROM execution_attempts
     WHERE booking_id = $1 AND finished_at IS NULL AND operation_id IS NOT NULL ORDER BY number DESC LIMIT 1`,
    [bookingId],
  );
  return rows[0] ?? null;
}

/**
 * Removes our open attempt that stopped (graceful stop, lost lease) before it sent anything: it did nothing, so it
 * must neither count toward max attempts nor make the next owner believe maintenance may have started. Fenced on
 * the lease; without it the next owner closes the attempt as Interrupted instead.
 */
export async function discardAttempt(q: Queryable, attemptId: string, bookingId: string, owner: string): Promise<void> {
  await q.query(
    `DELETE FROM execution_attempts a USING bookings b
     WHERE a.id = $1 AND a.finished_at IS NULL AND a.operation_id IS NULL AND b.id = a.booking_id AND b.id = $2 AND b.lease_owner = $3`,
    [attemptId, bookingId, owner],
  );
}

export interface AttemptResult {
  outcome: AttemptOutcome;
  httpStatus: number | null;
  errorCode: string | null;
  errorMessage: string | null;
}

/**
 * Ends attempts of bookings we lease; returns the booking ids written. Locks those bookings (in id order, as the
 * writer does) and checks the lease under the lock, so it still holds when the caller moves them in the same
 * transaction.
 */
export async function finishAttempts(q: Queryable, owner: string, attempts: (AttemptResult & { attemptId: string; bookingId: string })[]): Promise<Set<string>> {
  if (attempts.length === 0) return new Set();
  const records = attempts.map((a) => ({
    id: a.attemptId, booking_id: a.bookingId, outcome: a.outcome, http_status: a.httpStatus, error_code: a.errorCode, error_message: a.errorMessage,
  }));
  const { rows } = await q.query<{ booking_id: string }>(
    `WITH r AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, booking_id uuid, outcome text, http_status int, error_code text, error_message text)),
     leased AS (SELECT b.id FROM bookings b WHERE b.id IN (SELECT booking_id FROM r) AND b.lease_owner = $1 ORDER BY b.id FOR UPDATE)
     UPDATE execution_attempts a SET finished_at = now(), outcome = r.outcome, http_status = r.http_status, error_code = r.error_code, error_message = r.error_message
     FROM r, leased WHERE a.id = r.id AND a.booking_id = r.booking_id AND leased.id = r.booking_id
     RETURNING a.booking_id`,
    [owner, JSON.stringify(records)],
  );
  return new Set(rows.map((r) => r.booking_id));
}

/** Azure skipped the VMs: shown as `maintenance.skippedAt` until the sync sees a new window (it clears the mark). */
export async function markVmsSkipped(q: Queryable, virtualMachineIds: string[]): Promise<void> {
  if (virtualMachineIds.length === 0) return;
  await q.query(`UPDATE maintenance_statuses SET skipped_at = now() WHERE virtual_machine_id = ANY($1::uuid[])`, [virtualMachineIds]);
}
