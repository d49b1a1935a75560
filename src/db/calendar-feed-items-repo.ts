// What a calendar feed shows, read with the API's own VM conditions (virtualMachineConditions), so a feed's scope
// and "pending" mean exactly what they mean in GET /v1/virtual-machines.
import type { Scope } from "../domain/access.js";
import { ACTIVE_STATES, type BookingState } from "../domain/booking-states.js";
import type { FeedBooking, FeedVm } from "../domain/calendar-feed.js";
import { statusFromColumns, maintenanceColumnList, type MaintenanceColumns } from "./maintenance-rows.js";
import type { Queryable } from "./leases-repo.js";
import { virtualMachineConditions } from "./virtual-machines-repo.js";

const FROM_VMS = "virtual_machines v LEFT JOIN maintenance_statuses m ON m.virtual_machine_id = v.id";

/** Active bookings, and bookings that ended at `since` or later, of VMs in scope (gone VMs too), by start time. */
export async function feedBookings(db: Queryable, scope: Scope, since: Date, now: Date): Promise<FeedBooking[]> {
  const sql = virtualMachineConditions({ scope, includeGone: true }, now);
  sql.add(`(b.state = ANY(${sql.param(ACTIVE_STATES)}::text[]) OR b.finished_at >= ${sql.param(since)})`);
  const { rows } = await db.query<FeedBooking>(
    `SELECT b.id, b.start_at AS "startAt", b.state, b.state_reason AS "stateReason", b.note, b.created_by AS "createdBy",
       b.updated_at AS "updatedAt", b.finished_at AS "finishedAt", json_build_object('id', v.id, 'name', v.name, 'resourceId', v.resource_id) AS vm
     FROM bookings b JOIN ${FROM_VMS} ON v.id = b.virtual_machine_id
     ${sql.where()} ORDER BY b.start_at, b.id`,
    sql.params,
  );
  return rows;
}

type VmRow = MaintenanceColumns & {
  id: string; name: string; resource_id: string; maintenance_read_at: Date | null; changed_at: Date;
  latest_booking: { id: string; state: BookingState; startAt: string; updatedAt: string } | null;
};

/** VMs in scope whose maintenance is known and pending, with when it last changed and their latest booking. */
export async function feedVirtualMachines(db: Queryable, scope: Scope, now: Date): Promise<FeedVm[]> {
  const sql = virtualMachineConditions({ scope, maintenance: "pending" }, now).add("v.maintenance_read_at IS NOT NULL");
  const { rows } = await db.query<VmRow>(
    `SELECT v.id, v.name, v.resource_id, v.maintenance_read_at, ${maintenanceColumnList("m")},
       coalesce((SELECT h.observed_at FROM window_history h WHERE h.virtual_machine_id = v.id ORDER BY h.observed_at DESC, h.id DESC LIMIT 1), m.observed_at) AS changed_at,
       (SELECT json_build_object('id', b.id, 'state', b.state, 'startAt', b.start_at, 'updatedAt', b.updated_at)
        FROM bookings b WHERE b.virtual_machine_id = v.id ORDER BY b.updated_at DESC, b.id DESC LIMIT 1) AS latest_booking
     FROM ${FROM_VMS} ${sql.where()} ORDER BY v.resource_id_key`,
    sql.params,
  );
  return rows.map((r) => ({
    id: r.id, name: r.name, resourceId: r.resource_id, maintenanceReadAt: r.maintenance_read_at, status: statusFromColumns(r), changedAt: r.changed_at,
    latestBooking: r.latest_booking && { ...r.latest_booking, startAt: new Date(r.latest_booking.startAt), updatedAt: new Date(r.latest_booking.updatedAt) },
  }));
}
