// SQL of the post-sync re-check: read every `scheduled` booking with its VM's facts (the one writer then ends the
// ones the domain decided to end, in the same transaction).
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
