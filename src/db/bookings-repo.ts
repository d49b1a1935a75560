// Reading bookings in SQL, and what a create needs besides the booking (idempotency keys, the conflict answer).
// Every change of a booking goes through the one writer, src/services/booking-transitions.ts.
import type pg from "pg";
import { ACTIVE_STATES } from "../domain/booking-states.js";
import { activeBookingExists, type ActiveBooking, type BookingTarget } from "../domain/booking-requests.js";
import type { BookableVm } from "../domain/bookings.js";
import type { VmPlacement } from "../domain/booking-warnings.js";
import type { DomainError } from "../domain/errors.js";
import { maintenanceColumnList, statusFromColumns, type MaintenanceColumns } from "./maintenance-rows.js";

export type Queryable = Pick<pg.Pool, "query">;

export interface BookingRow {
  id: string;
  virtualMachineId: string;
  startAt: Date;
  state: string;
  stateReason: string | null;
  note: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  /** The planner holds a scheduled booking back until about then (src/domain/planner.ts), and why; else null. */
  deferredUntil: Date | null;
  deferralReason: string | null;
  /** The VM's current self-service window (both null when no maintenance is planned). */
  windowStart: Date | null;
  windowEnd: Date | null;
  /** Where the VM is and its placement as last read: for the booking's warnings and its events' scope. */
  vm: BookingVm;
}

export type BookingVm = VmPlacement & { subscriptionId: string; resourceGroup: string };

export interface AttemptRow {
  number: number;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: string | null;
  httpStatus: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  operationId: string | null;
}

export type BookingRecord = BookingRow & { attempts: AttemptRow[] };

// The window comes from scalar subqueries, not a join, so the same list serves SELECT and UPDATE … RETURNING.
export const BOOKING_COLUMNS = `b.id, b.virtual_machine_id AS "virtualMachineId", b.start_at AS "startAt", b.state,
  b.state_reason AS "stateReason", b.note, b.created_by AS "createdBy", b.created_at AS "createdAt",
  b.updated_at AS "updatedAt", b.version, b.deferred_until AS "deferredUntil", b.deferral_reason AS "deferralReason",
  (SELECT m.self_service_window_start FROM maintenance_statuses m WHERE m.virtual_machine_id = b.virtual_machine_id) AS "windowStart",
  (SELECT m.self_service_window_end FROM maintenance_statuses m WHERE m.virtual_machine_id = b.virtual_machine_id) AS "windowEnd",
  (SELECT json_build_object('subscriptionId', v.subscription_id, 'resourceGroup', v.resource_group, 'powerState', v.power_state,
     'availabilitySet', v.availability_set, 'scaleSetName', v.scale_set_name)
   FROM virtual_machines v WHERE v.id = b.virtual_machine_id) AS vm`;

const ATTEMPT_COLUMNS = `booking_id AS "bookingId", number, started_at AS "startedAt", finished_at AS "finishedAt", outcome,
  http_status AS "httpStatus", error_code AS "errorCode", error_message AS "errorMessage", operation_id AS "operationId"`;

/** Adds each booking's execution attempts (written by the scheduler), in attempt order. */
export async function withAttempts(db: Queryable, rows: BookingRow[]): Promise<BookingRecord[]> {
  if (rows.length === 0) return [];
  const { rows: attempts } = await db.query<AttemptRow & { bookingId: string }>(
    `SELECT ${ATTEMPT_COLUMNS} FROM execution_attempts WHERE booking_id = ANY($1::uuid[]) ORDER BY booking_id, number`,
    [rows.map((r) => r.id)],
  );
  const byBooking = new Map<string, AttemptRow[]>(rows.map((r) => [r.id, []]));
  for (const { bookingId, ...attempt } of attempts) byBooking.get(bookingId)!.push(attempt);
  return rows.map((r) => ({ ...r, attempts: byBooking.get(r.id)! }));
}

export async function findBooking(db: Queryable, id: string): Promise<BookingRecord | null> {
  return (await findBookings(db, [id]))[0] ?? null;
}

/** The bookings that exist of `ids`, in no particular order. */
export async function findBookings(db: Queryable, ids: string[]): Promise<BookingRecord[]> {
  const { rows } = await db.query<BookingRow>(`SELECT ${BOOKING_COLUMNS} FROM bookings b WHERE b.id = ANY($1::uuid[])`, [ids]);
  return withAttempts(db, rows);
}

/** Where a VM lives, for scope checks; null when no VM has this id. */
export async function findVmPlacement(db: Queryable, id: string): Promise<{ subscriptionId: string; resourceGroup: string } | null> {
  const { rows } = await db.query<{ subscriptionId: string; resourceGroup: string }>(
    `SELECT subscription_id AS "subscriptionId", resource_group AS "resourceGroup" FROM virtual_machines WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/** Columns (tables aliased v and m) from which vmFacts builds what the booking rules know of a VM. */
export const VM_FACTS_COLUMNS = `v.id AS vm_id, v.gone_since, v.maintenance_read_at, v.subscription_id, v.resource_group, v.tags, v.availability_set,
  v.scale_set_name, m.virtual_machine_id IS NOT NULL AS has_status, ${maintenanceColumnList("m")}`;
export const VM_FACTS_JOIN = "LEFT JOIN maintenance_statuses m ON m.virtual_machine_id = v.id";
export type VmFactsRow = MaintenanceColumns & {
  vm_id: string; gone_since: Date | null; maintenance_read_at: Date | null; has_status: boolean;
  subscription_id: string; resource_group: string; tags: Record<string, string> | null; availability_set: string | null; scale_set_name: string | null;
};

export function vmFacts(row: VmFactsRow): BookableVm {
  return {
    id: row.vm_id, goneSince: row.gone_since, maintenanceReadAt: row.maintenance_read_at, maintenance: row.has_status ? statusFromColumns(row) : null,
    subscriptionId: row.subscription_id, resourceGroup: row.resource_group, tags: row.tags ?? {}, availabilitySet: row.availability_set, scaleSetName: row.scale_set_name,
  };
}

/** The VM facts the booking rules need; null when no VM has this id. */
export async function findBookableVm(db: Queryable, id: string): Promise<BookableVm | null> {
  return (await findBookingTargets(db, [id])).get(id) ?? null;
}

type TargetRow = VmFactsRow & { subscription_id: string; resource_group: string; active_id: string | null; active_state: string | null; active_start_at: Date | null };

/** What creates need of these VMs (facts, placement, active booking), in one statement; VMs that do not exist are absent. */
export async function findBookingTargets(db: Queryable, ids: string[]): Promise<Map<string, BookingTarget>> {
  const { rows } = await db.query<TargetRow>(
    `SELECT ${VM_FACTS_COLUMNS}, v.subscription_id, v.resource_group, a.id AS active_id, a.state AS active_state, a.start_at AS active_start_at
     FROM virtual_machines v ${VM_FACTS_JOIN}
     LEFT JOIN bookings a ON a.virtual_machine_id = v.id AND a.state = ANY($2::text[])
     WHERE v.id = ANY($1::uuid[])`,
    [ids, ACTIVE_STATES],
  );
  return new Map(rows.map((r) => [r.vm_id, {
    ...vmFacts(r), subscriptionId: r.subscription_id, resourceGroup: r.resource_group,
    activeBooking: r.active_id ? { id: r.active_id, state: r.active_state!, startAt: r.active_start_at! } : null,
  }]));
}

export interface IdempotencyRecord {
  /** The caller's stable id (oid / appid): display names can be renamed and reused. */
  principalId: string;
  key: string;
  requestHash: string;
}

/** Stores a create's Idempotency-Key, in the create's transaction; a concurrent twin's key → unique violation. */
export async function insertIdempotencyKey(db: Queryable, idempotency: IdempotencyRecord, bookingId: string): Promise<void> {
  await db.query(`INSERT INTO idempotency_keys (principal_id, key, request_hash, booking_id) VALUES ($1, $2, $3, $4)`, [
    idempotency.principalId, idempotency.key, idempotency.requestHash, bookingId,
  ]);
}

/** The active bookings of these VMs, by VM id. */
export async function findActiveBookings(db: Queryable, virtualMachineIds: string[]): Promise<Map<string, ActiveBooking>> {
  if (virtualMachineIds.length === 0) return new Map();
  const { rows } = await db.query<ActiveBooking & { virtualMachineId: string }>(
    `SELECT virtual_machine_id AS "virtualMachineId", id, state, start_at AS "startAt" FROM bookings
     WHERE virtual_machine_id = ANY($1::uuid[]) AND state = ANY($2::text[])`,
    [virtualMachineIds, ACTIVE_STATES],
  );
  return new Map(rows.map(({ virtualMachineId, ...active }) => [virtualMachineId, active]));
}

/** `active-booking-exists`, naming the VM's active booking as it is now. */
export async function activeBookingConflict(db: Queryable, virtualMachineId: string): Promise<DomainError> {
  return activeBookingExists(virtualMachineId, (await findActiveBookings(db, [virtualMachineId])).get(virtualMachineId) ?? null);
}

export async function findIdempotencyKey(db: Queryable, principalId: string, key: string): Promise<{ requestHash: string; bookingId: string } | null> {
  const { rows } = await db.query<{ requestHash: string; bookingId: string }>(
    `SELECT request_hash AS "requestHash", booking_id AS "bookingId" FROM idempotency_keys WHERE principal_id = $1 AND key = $2`,
    [principalId, key],
  );
  return rows[0] ?? null;
}
