// SQL of the post-sync re-check: read every `scheduled` booking with its VM's facts, then end the ones the
// domain decided to end — set-based, in the caller's transaction.
import type { BookableVm } from "../domain/bookings.js";
import { VM_FACTS_COLUMNS, VM_FACTS_JOIN, vmFacts, type Queryable, type VmFactsRow } from "./bookings-repo.js";

export interface ScheduledBookingFacts {
  id: string;
  version: number;
  startAt: Date;
  vm: BookableVm;
}

/**
 * Locks the `scheduled` bookings; a booking another transaction holds (the scheduler claiming it) is skipped
 * rather than waited for — the scheduler re-reads the VM before it acts, and the next sync checks it again.
 */
export async function lockScheduledBookings(client: Queryable): Promise<ScheduledBookingFacts[]> {
  const { rows } = await client.query<VmFactsRow & { id: string; version: number; start_at: Date }>(
    `SELECT b.id, b.version, b.start_at, ${VM_FACTS_COLUMNS}
     FROM bookings b JOIN virtual_machines v ON v.id = b.virtual_machine_id ${VM_FACTS_JOIN}
     WHERE b.state = 'scheduled'
     FOR UPDATE OF b SKIP LOCKED`,
  );
  return rows.map((r) => ({ id: r.id, version: r.version, startAt: r.start_at, vm: vmFacts(r) }));
}

export interface FinishDecision {
  id: string;
  version: number;
  state: string;
  reason: string;
}

/**
 * Moves each booking, still `scheduled` at the version read, to its final state; returns how many moved. A final
 * booking holds no lease: the scheduler's claim on it (if any) is dropped, and its fenced writes then find nothing.
 */
export async function finishBookings(client: Queryable, decisions: FinishDecision[]): Promise<number> {
  if (decisions.length === 0) return 0;
  // The audit rows are written by the same statement, so each change and its record commit together.
  const result = await client.query(
    `WITH changed AS (
       UPDATE bookings b SET state = d.state, state_reason = d.reason, version = b.version + 1, updated_at = now(), finished_at = now(),
         lease_owner = NULL, lease_expires_at = NULL
       FROM jsonb_to_recordset($1::jsonb) AS d(id uuid, version int, state text, reason text)
       WHERE b.id = d.id AND b.version = d.version AND b.state = 'scheduled'
       RETURNING b.id, b.version, d.state, d.reason
     )
     INSERT INTO audit_events (actor, action, target_type, target_id, before, after)
     SELECT 'system:sync', 'booking.' || c.state, 'booking', c.id::text, jsonb_build_object('state', 'scheduled', 'version', c.version - 1),
       jsonb_build_object('state', c.state, 'stateReason', c.reason, 'version', c.version)
     FROM changed c`,
    [JSON.stringify(decisions)],
  );
  return result.rowCount ?? 0;
}
