// SQL of the deadline alerts: find unbooked VMs whose deadline is near (with the warnings already given for it),
// then remember the warnings decided on. Set-based: one statement each, whatever the number of VMs.
import type { VirtualMachineRecord } from "./virtual-machines-repo.js";
import type { Queryable } from "./bookings-repo.js";

export type VirtualMachineRow = Omit<VirtualMachineRecord, "windowHistory" | "bookings">;

export interface DeadlineCandidate {
  vm: VirtualMachineRow;
  deadline: Date;
  /** Thresholds already announced for this VM and deadline. */
  announced: string[];
}

// The VM as Prisma returns it (so src/representations.ts shows it as the API does), maintenance as one JSON object.
const VM_RECORD = `v.id, v.resource_id AS "resourceId", v.resource_id_key AS "resourceIdKey", v.subscription_id AS "subscriptionId",
  v.resource_group AS "resourceGroup", v.name, v.location, v.scale_set_name AS "scaleSetName", v.scale_set_instance_id AS "scaleSetInstanceId",
  v.availability_set AS "availabilitySet", v.zone, v.platform_update_domain AS "platformUpdateDomain",
  v.platform_fault_domain AS "platformFaultDomain", v.tags, v.power_state AS "powerState", v.first_seen_at AS "firstSeenAt",
  v.last_seen_at AS "lastSeenAt", v.gone_since AS "goneSince", v.maintenance_read_at AS "maintenanceReadAt",
  m.customer_initiated_maintenance_allowed, m.self_service_window_start, m.self_service_window_end, m.scheduled_window_start,
  m.scheduled_window_end, m.last_operation_result_code, m.last_operation_message, m.observed_at, m.skipped_at`;

type Row = Omit<VirtualMachineRow, "maintenance"> & {
  customer_initiated_maintenance_allowed: boolean | null;
  self_service_window_start: Date | null;
  self_service_window_end: Date;
  scheduled_window_start: Date | null;
  scheduled_window_end: Date | null;
  last_operation_result_code: string | null;
  last_operation_message: string | null;
  observed_at: Date;
  skipped_at: Date | null;
  announced: string[];
};

function candidate(r: Row): DeadlineCandidate {
  const {
    customer_initiated_maintenance_allowed, self_service_window_start, self_service_window_end, scheduled_window_start, scheduled_window_end,
    last_operation_result_code, last_operation_message, observed_at, skipped_at, announced, ...vm
  } = r;
  const maintenance = {
    virtualMachineId: vm.id, customerInitiatedMaintenanceAllowed: customer_initiated_maintenance_allowed,
    selfServiceWindowStart: self_service_window_start, selfServiceWindowEnd: self_service_window_end,
    scheduledWindowStart: scheduled_window_start, scheduledWindowEnd: scheduled_window_end,
    lastOperationResultCode: last_operation_result_code, lastOperationMessage: last_operation_message, observedAt: observed_at, skippedAt: skipped_at,
  };
  return { vm: { ...vm, maintenance }, deadline: self_service_window_end, announced };
}

/**
 * VMs not gone whose deadline lies in (now, horizon] and that are unbooked as src/domain/deadlines.ts `isUnbooked`
 * says: maintenance read, pending (not completed; given a self-service end still ahead, pending means the
 * scheduled window has not ended), no `scheduled` or `running` booking.
 */
export async function unbookedDeadlinesBefore(db: Queryable, now: Date, horizon: Date): Promise<DeadlineCandidate[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${VM_RECORD},
       ARRAY(SELECT a.threshold FROM deadline_alerts a WHERE a.virtual_machine_id = v.id AND a.deadline = m.self_service_window_end) AS announced
     FROM virtual_machines v JOIN maintenance_statuses m ON m.virtual_machine_id = v.id
     WHERE v.gone_since IS NULL AND v.maintenance_read_at IS NOT NULL
       AND m.self_service_window_end > $1 AND m.self_service_window_end <= $2
       AND m.last_operation_result_code IS DISTINCT FROM 'MaintenanceCompleted'
       AND (m.scheduled_window_end IS NULL OR m.scheduled_window_end > $1)
       AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.virtual_machine_id = v.id AND b.state IN ('scheduled', 'held', 'running'))
     ORDER BY m.self_service_window_end, v.id`,
    [now, horizon],
  );
  return rows.map(candidate);
}

/** These VMs with their deadline, as a deadline event shows them (those with no self-service window end are absent). */
export async function deadlinesOf(db: Queryable, ids: string[]): Promise<DeadlineCandidate[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<Row>(
    `SELECT ${VM_RECORD}, '{}'::text[] AS announced
     FROM virtual_machines v JOIN maintenance_statuses m ON m.virtual_machine_id = v.id
     WHERE v.id = ANY($1::uuid[]) AND m.self_service_window_end IS NOT NULL`,
    [ids],
  );
  return rows.map(candidate);
}

export interface AlertRecord {
  virtualMachineId: string;
  deadline: Date;
  threshold: string;
}

/**
 * Remembers the warnings; returns the ones this call recorded. A warning another replica recorded first is not
 * returned (its unique key waits for that transaction, then does nothing), nor one for a VM booked meanwhile.
 */
export async function recordAlerts(db: Queryable, alerts: AlertRecord[]): Promise<AlertRecord[]> {
  if (alerts.length === 0) return [];
  const { rows } = await db.query<AlertRecord>(
    `INSERT INTO deadline_alerts (virtual_machine_id, deadline, threshold)
     SELECT a.vm, a.deadline, a.threshold FROM jsonb_to_recordset($1::jsonb) AS a(vm uuid, deadline timestamptz, threshold text)
     WHERE NOT EXISTS (SELECT 1 FROM bookings b WHERE b.virtual_machine_id = a.vm AND b.state IN ('scheduled', 'held', 'running'))
     ON CONFLICT DO NOTHING
     RETURNING virtual_machine_id AS "virtualMachineId", deadline, threshold`,
    [JSON.stringify(alerts.map((a) => ({ vm: a.virtualMachineId, deadline: a.deadline.toISOString(), threshold: a.threshold })))],
  );
  return rows;
}

/** A passed deadline is never announced again: the rows of deadlines before `before` are no longer needed. */
export async function forgetPassedDeadlines(db: Queryable, before: Date): Promise<void> {
  await db.query(`DELETE FROM deadline_alerts WHERE deadline < $1`, [before]);
}
