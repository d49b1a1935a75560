// Scheduler test data: VMs with an open self-service window (set in the simulator, then synced), bookings inserted
// with SQL (independent of the bookings API), and polling the database for outcomes.
import type pg from "pg";
import type { RequestLogEntry, SimMaintenance, Simulator, SimVm } from "../../src/azure/simulator/index.js";
import { isoWithOffset } from "../../src/azure/simulator/index.js";
import { requestSync, type SyncDeps } from "../../src/services/sync.js";
import { armKey } from "../../src/domain/arm-names.js";

const DAY = 86_400_000;

/** A self-service window that is open now (and ends `endsInMs` from now) with maintenance allowed. */
export function openMaintenance(endsInMs = 20 * DAY): SimMaintenance {
  const now = Date.now();
  return {
    isCustomerInitiatedMaintenanceAllowed: true,
    preMaintenanceWindowStartTime: isoWithOffset(now - DAY, 0),
    preMaintenanceWindowEndTime: isoWithOffset(now + endsInMs, 0),
    maintenanceWindowStartTime: isoWithOffset(now + endsInMs + 2 * DAY, 0),
    maintenanceWindowEndTime: isoWithOffset(now + endsInMs + 2 * DAY + 8 * 3_600_000, 0),
    lastOperationResultCode: "None",
  };
}

export function plainVms(sim: Simulator, count: number, subscriptionId?: string): SimVm[] {
  return sim.vms().filter((vm) => !vm.scaleSetName && (!subscriptionId || vm.subscriptionId === subscriptionId)).slice(0, count);
}

/** Gives the VMs the maintenance status and syncs the fleet into the database (a full sweep: every VM is read). */
export async function seedMaintenance(sim: Simulator, sync: SyncDeps, vms: SimVm[], m: SimMaintenance = openMaintenance()): Promise<void> {
  for (const vm of vms) sim.setMaintenance(vm.resourceId, m);
  const request = await requestSync(sync, "api", undefined, { full: true });
  const run = await request.finished;
  if (run.status !== "succeeded") throw new Error(`sync ${run.status}: ${JSON.stringify(run.errors)}`);
}

/** Inserts one scheduled booking per VM, due `startOffsetSeconds` from the database's now; returns their ids. */
export async function insertBookings(pool: pg.Pool, vms: SimVm[], startOffsetSeconds = 0): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO bookings (id, virtual_machine_id, start_at, state, created_by)
     SELECT gen_random_uuid(), v.id, now() + $2 * interval '1 second', 'scheduled', 'test'
     FROM virtual_machines v WHERE v.resource_id_key = ANY($1::text[]) RETURNING id`,
    [vms.map((vm) => armKey(vm.resourceId)), startOffsetSeconds],
  );
  if (rows.length !== vms.length) throw new Error(`inserted ${rows.length} of ${vms.length} bookings: VMs not synced?`);
  return rows.map((r) => r.id);
}

export interface BookingRow {
  id: string;
  state: string;
  state_reason: string | null;
  lease_owner: string | null;
  operation_state: string | null;
  version: number;
  virtual_machine_id: string;
}

const FINAL = ["completed", "failed", "skipped", "cancelled", "missed", "invalidated", "not-needed"];

/** Polls until every booking is in a final state (or `states`), then returns them. */
export async function waitForBookings(pool: pg.Pool, ids: string[], timeoutMs = 20_000, states = FINAL): Promise<BookingRow[]> {
  const deadline = Date.now() + timeoutMs;
  const pending = async () =>
    (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM bookings WHERE id = ANY($1::uuid[]) AND state <> ALL($2::text[])`, [ids, states])).rows[0].n;
  for (let left = await pending(); left > 0; left = await pending()) {
    if (Date.now() > deadline) throw new Error(`${left} of ${ids.length} bookings not in ${states.join("/")} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return (await pool.query<BookingRow>(`SELECT * FROM bookings WHERE id = ANY($1::uuid[])`, [ids])).rows;
}

export async function attemptsOf(pool: pg.Pool, bookingId: string) {
  const { rows } = await pool.query(`SELECT * FROM execution_attempts WHERE booking_id = $1 ORDER BY number`, [bookingId]);
  return rows;
}

/** performMaintenance requests the simulator received for one VM (any status). */
export function performRequestsFor(log: RequestLogEntry[], vm: SimVm): RequestLogEntry[] {
  const path = `${vm.resourceId}/performMaintenance`.toLowerCase();
  return log.filter((r) => r.operation === "performMaintenance" && r.path.toLowerCase().startsWith(path));
}
