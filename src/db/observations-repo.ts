// What Azure showed, recorded with one set of change rules whoever read it: a sync page (upsert the listed VMs,
// then apply the instance views read) or the scheduler's reads before and after performing maintenance. Each
// reading is diffed against the stored status: new status, one history row per change, `maintenance_read_at` —
// one transaction, a handful of set-based statements.
import type pg from "pg";
import type { ArmVirtualMachine, InstanceViewFacts } from "../azure/gateway.js";
import { armKey } from "../domain/arm-names.js";
import { classifyChange, type MaintenanceStatus, type WindowChange } from "../domain/maintenance.js";
import {
  MAINTENANCE_RECORD_COLUMNS,
  columnsFromStatus,
  maintenanceColumnList,
  maintenanceColumnUpdates,
  statusFromColumns,
  type MaintenanceColumns,
} from "./maintenance-rows.js";
import { withTransaction } from "./transaction.js";
import type { Queryable } from "./leases-repo.js";
import { appendEvents } from "./outbox-repo.js";
import { virtualMachinesById } from "./virtual-machines-repo.js";
import type { EventName } from "../domain/events.js";
import { maintenanceStatusJson, virtualMachineJson } from "../representations.js";

/**
 * A listed VM and, when it was read (or the list carried it), its instance view and when the read began.
 * `instanceView: null`: not read this time — its stored maintenance stays as it is (unknown is never "none").
 */
export type ObservedVm = ArmVirtualMachine & { readAt: Date | null };

export interface ObservationCounts {
  appeared: number;
  changed: number;
  cleared: number;
}

// Power state and update/fault domain come from an instance view when one was read; otherwise the stored ones
// stay (a status-only list carries the power state only).
const UPSERT_VMS = `
INSERT INTO virtual_machines (id, resource_id, resource_id_key, subscription_id, resource_group, name, location,
  scale_set_name, scale_set_instance_id, availability_set, zone, platform_update_domain, platform_fault_domain,
  tags, power_state, first_seen_at, last_seen_at, gone_since)
SELECT gen_random_uuid(), r.resource_id, arm_key(r.resource_id), r.subscription_id, r.resource_group, r.name, r.location,
  r.scale_set_name, r.scale_set_instance_id, r.availability_set, r.zone, r.platform_update_domain, r.platform_fault_domain,
  coalesce(r.tags, '{}'::jsonb), r.power_state, now(), now(), NULL
FROM jsonb_to_recordset($1::jsonb) AS r(resource_id text, subscription_id text, resource_group text, name text,
  location text, scale_set_name text, scale_set_instance_id text, availability_set text, zone text,
  platform_update_domain int, platform_fault_domain int, tags jsonb, power_state text)
ON CONFLICT (resource_id_key) DO UPDATE SET
  resource_id = EXCLUDED.resource_id, subscription_id = EXCLUDED.subscription_id,
  resource_group = EXCLUDED.resource_group, name = EXCLUDED.name, location = EXCLUDED.location,
  scale_set_name = EXCLUDED.scale_set_name, scale_set_instance_id = EXCLUDED.scale_set_instance_id,
  availability_set = EXCLUDED.availability_set, zone = EXCLUDED.zone,
  platform_update_domain = coalesce(EXCLUDED.platform_update_domain, virtual_machines.platform_update_domain),
  platform_fault_domain = coalesce(EXCLUDED.platform_fault_domain, virtual_machines.platform_fault_domain),
  tags = EXCLUDED.tags, power_state = coalesce(EXCLUDED.power_state, virtual_machines.power_state),
  last_seen_at = EXCLUDED.last_seen_at, gone_since = NULL
RETURNING id, resource_id_key`;

// Locks the VMs' rows (both writers, sync and scheduler, lock them first) and keeps only observations newer than
// the one stored: a sync page that read a VM before the scheduler's own read must not undo what that read showed.
const CURRENT_STATUSES = `SELECT v.id AS virtual_machine_id, v.maintenance_read_at, m.virtual_machine_id IS NOT NULL AS has_status,
  ${maintenanceColumnList("m")}
FROM virtual_machines v LEFT JOIN maintenance_statuses m ON m.virtual_machine_id = v.id
WHERE v.id = ANY($1::uuid[]) ORDER BY v.id FOR UPDATE OF v`;

const MARK_READ = `UPDATE virtual_machines v SET maintenance_read_at = r.read_at
FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, read_at timestamptz) WHERE v.id = r.id`;

const UPSERT_STATUSES = `
INSERT INTO maintenance_statuses (virtual_machine_id, ${maintenanceColumnList()}, observed_at)
SELECT r.virtual_machine_id, ${maintenanceColumnList("r")}, now()
FROM jsonb_to_recordset($1::jsonb) AS r(virtual_machine_id uuid, ${MAINTENANCE_RECORD_COLUMNS})
ON CONFLICT (virtual_machine_id) DO UPDATE SET
${maintenanceColumnUpdates()}, observed_at = EXCLUDED.observed_at`;

// A new window ends a "skipped" mark: Azure has planned the VM again.
const CLEAR_SKIPPED = `UPDATE maintenance_statuses SET skipped_at = NULL WHERE virtual_machine_id = ANY($1::uuid[]) AND skipped_at IS NOT NULL`;

const DELETE_STATUSES = `DELETE FROM maintenance_statuses WHERE virtual_machine_id = ANY($1::uuid[])`;

const INSERT_HISTORY = `
INSERT INTO window_history (virtual_machine_id, sync_run_id, change, ${maintenanceColumnList()}, observed_at)
SELECT r.virtual_machine_id, $2, r.change, ${maintenanceColumnList("r")}, now()
FROM jsonb_to_recordset($1::jsonb) AS r(virtual_machine_id uuid, change text, ${MAINTENANCE_RECORD_COLUMNS})`;

function vmRecord(vm: ObservedVm) {
  return {
    resource_id: vm.resourceId,
    subscription_id: vm.subscriptionId,
    resource_group: vm.resourceGroup,
    name: vm.name,
    location: vm.location,
    scale_set_name: vm.scaleSetName,
    scale_set_instance_id: vm.scaleSetInstanceId,
    availability_set: vm.availabilitySet,
    zone: vm.zone,
    platform_update_domain: vm.instanceView?.platformUpdateDomain ?? null,
    platform_fault_domain: vm.instanceView?.platformFaultDomain ?? null,
    tags: vm.tags,
    power_state: vm.instanceView?.powerState ?? vm.powerState,
  };
}

/** One VM's maintenance as read from its instance view, at `readAt` (when the read began). */
export interface MaintenanceReading {
  virtualMachineId: string;
  maintenance: MaintenanceStatus | null;
  readAt: Date;
}

/**
 * Applies readings with the sync's change rules: new status, one history row per change, the skipped mark
 * cleared by a moved window, `maintenance_read_at` set. Readings older than the stored one are ignored. In the
 * caller's transaction; `syncRunId` null for readings made by the scheduler.
 */
async function applyReadings(client: Queryable, syncRunId: string | null, readings: MaintenanceReading[]): Promise<ObservationCounts> {
  const counts: ObservationCounts = { appeared: 0, changed: 0, cleared: 0 };
  if (readings.length === 0) return counts;
  type Current = MaintenanceColumns & { virtual_machine_id: string; maintenance_read_at: Date | null; has_status: boolean };
  const current = await client.query<Current>(CURRENT_STATUSES, [readings.map((r) => r.virtualMachineId)]);
  const stored = new Map(current.rows.map((r) => [r.virtual_machine_id, r]));
  const statuses: object[] = [];
  const clearedIds: string[] = [];
  const movedIds: string[] = [];
  const history: object[] = [];
  const windowEvents: { id: string; change: WindowChange; previous: MaintenanceStatus | null }[] = [];
  const read: object[] = [];
  for (const { virtualMachineId: id, maintenance: after, readAt } of readings) {
    const row = stored.get(id);
    if (!row || (row.maintenance_read_at && row.maintenance_read_at.getTime() > readAt.getTime())) continue;
    read.push({ id, read_at: readAt.toISOString() });
    const before = row.has_status ? statusFromColumns(row) : null;
    const change: WindowChange | null = classifyChange(before, after);
    if (after) statuses.push({ virtual_machine_id: id, ...columnsFromStatus(after) });
    else if (before) clearedIds.push(id);
    if (change === "moved") movedIds.push(id);
    if (!change) continue;
    history.push({ virtual_machine_id: id, change, ...columnsFromStatus(after) });
    windowEvents.push({ id, change, previous: before });
    if (change === "appeared") counts.appeared++;
    else if (change === "cleared") counts.cleared++;
    else counts.changed++;
  }
  if (read.length) await client.query(MARK_READ, [JSON.stringify(read)]);
  if (statuses.length) await client.query(UPSERT_STATUSES, [JSON.stringify(statuses)]);
  if (clearedIds.length) await client.query(DELETE_STATUSES, [clearedIds]);
  if (movedIds.length) await client.query(CLEAR_SKIPPED, [movedIds]);
  if (history.length) await client.query(INSERT_HISTORY, [JSON.stringify(history), syncRunId]);
  await appendWindowEvents(client, windowEvents);
  return counts;
}

const WINDOW_EVENTS: Partial<Record<WindowChange, EventName>> = { appeared: "window.appeared", moved: "window.moved", cleared: "window.cleared" };

/** `window.appeared|moved|cleared` for the changes just written, with the VM as the API now shows it. */
async function appendWindowEvents(client: Queryable, changes: { id: string; change: WindowChange; previous: MaintenanceStatus | null }[]): Promise<void> {
  const evented = changes.filter((c) => WINDOW_EVENTS[c.change]);
  if (evented.length === 0) return;
  const vms = await virtualMachinesById(client, evented.map((c) => c.id));
  await appendEvents(
    client,
    evented.map(({ id, change, previous }) => {
      const vm = vms.get(id)!;
      return {
        name: WINDOW_EVENTS[change]!, source: "/v1/virtual-machines", subject: id, subscriptionId: vm.subscriptionId, resourceGroup: vm.resourceGroup,
        data: { virtualMachine: virtualMachineJson(vm), change, previous: previous && maintenanceStatusJson(previous) },
      };
    }),
  );
}

/**
 * Records one page of listed VMs: upserts them all, and applies the maintenance of those whose instance view was
 * read (or carried by the list). `vms` must not repeat a resource id (compared by armKey, as ARM compares ids).
 */
// Listing times come from the database clock (now()), like the run's start, so "not seen since the run started"
// holds whatever the app servers' clocks say.
export async function recordObservations(pool: pg.Pool, syncRunId: string | null, vms: ObservedVm[]): Promise<ObservationCounts> {
  if (vms.length === 0) return { appeared: 0, changed: 0, cleared: 0 };
  return withTransaction(pool, async (client) => {
    const upserted = await client.query<{ id: string; resource_id_key: string }>(UPSERT_VMS, [JSON.stringify(vms.map(vmRecord))]);
    const idByKey = new Map(upserted.rows.map((r) => [r.resource_id_key, r.id]));
    const readings = vms.flatMap((vm) =>
      vm.instanceView && vm.readAt ? [{ virtualMachineId: idByKey.get(armKey(vm.resourceId))!, maintenance: vm.instanceView.maintenance, readAt: vm.readAt }] : [],
    );
    return applyReadings(client, syncRunId, readings);
  });
}

// The scheduler's usual reading: Azure shows the status that is stored. One statement instead of a transaction of
// five: the read time and the VM's run-time facts move on and the status is stamped as observed. It applies only
// while the VM's maintenance_read_at is the one the comparison saw — a sync page that wrote the VM meanwhile (it
// moves maintenance_read_at, under the same row lock) makes it change nothing, and the full path decides.
const SAME_STATUS_READ = `
WITH r AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, read_at timestamptz, power_state text, ud int, fd int, ${MAINTENANCE_RECORD_COLUMNS})),
cur AS (
  SELECT v.id, v.maintenance_read_at FROM r JOIN virtual_machines v ON v.id = r.id JOIN maintenance_statuses m ON m.virtual_machine_id = v.id
  WHERE (v.maintenance_read_at IS NULL OR v.maintenance_read_at <= r.read_at)
    AND ${maintenanceColumnList().split(", ").map((c) => `m.${c} IS NOT DISTINCT FROM r.${c}`).join(" AND ")}),
vm AS (
  UPDATE virtual_machines v SET maintenance_read_at = r.read_at, power_state = coalesce(r.power_state, v.power_state),
    platform_update_domain = coalesce(r.ud, v.platform_update_domain), platform_fault_domain = coalesce(r.fd, v.platform_fault_domain)
  FROM cur, r WHERE v.id = cur.id AND r.id = cur.id AND v.maintenance_read_at IS NOT DISTINCT FROM cur.maintenance_read_at
  RETURNING v.id)
UPDATE maintenance_statuses m SET observed_at = now() FROM vm WHERE m.virtual_machine_id = vm.id RETURNING m.virtual_machine_id`;

/** A reading of one VM's instance view by the scheduler, at `readAt` (when the read began). */
export interface InstanceViewReading {
  virtualMachineId: string;
  view: InstanceViewFacts;
  readAt: Date;
}

/**
 * What the scheduler reads before and after performing maintenance, recorded like a sync's reading of the VM:
 * the VM shows Azure's answer at once instead of after the next sync. Set-based (the scheduler's reads are
 * group-committed, src/services/execution-writes.ts): readings that show the stored status in one statement, the
 * others in one transaction. At most one reading per VM. Returns the changes, if any.
 */
export async function recordInstanceViews(pool: pg.Pool, readings: InstanceViewReading[]): Promise<ObservationCounts> {
  const shown = readings.filter((r) => r.view.maintenance);
  let same = new Set<string>();
  if (shown.length) {
    const records = shown.map(({ virtualMachineId, view, readAt }) => ({
      id: virtualMachineId, read_at: readAt.toISOString(), power_state: view.powerState, ud: view.platformUpdateDomain, fd: view.platformFaultDomain,
      ...columnsFromStatus(view.maintenance!),
    }));
    const { rows } = await pool.query<{ virtual_machine_id: string }>(SAME_STATUS_READ, [JSON.stringify(records)]);
    same = new Set(rows.map((r) => r.virtual_machine_id));
  }
  const rest = readings.filter((r) => !same.has(r.virtualMachineId));
  if (rest.length === 0) return { appeared: 0, changed: 0, cleared: 0 };
  return withTransaction(pool, async (client) => {
    const facts = rest.map(({ virtualMachineId, view, readAt }) => ({
      id: virtualMachineId, power_state: view.powerState, ud: view.platformUpdateDomain, fd: view.platformFaultDomain, read_at: readAt.toISOString(),
    }));
    await client.query(
      `UPDATE virtual_machines v SET power_state = coalesce(r.power_state, v.power_state), platform_update_domain = coalesce(r.ud, v.platform_update_domain),
         platform_fault_domain = coalesce(r.fd, v.platform_fault_domain)
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, power_state text, ud int, fd int, read_at timestamptz)
       WHERE v.id = r.id AND (v.maintenance_read_at IS NULL OR v.maintenance_read_at <= r.read_at)`,
      [JSON.stringify(facts)],
    );
    return applyReadings(client, null, rest.map(({ virtualMachineId, view, readAt }) => ({ virtualMachineId, maintenance: view.maintenance, readAt })));
  });
}
/** Marks VMs of a subscription that this run did not see (last seen before it started) as gone. */
export async function markGone(pool: pg.Pool, subscriptionId: string, runStartedAt: Date): Promise<number> {
  const result = await pool.query(
    `UPDATE virtual_machines SET gone_since = now()
     WHERE subscription_id = $1 AND gone_since IS NULL AND last_seen_at < $2`,
    [subscriptionId, runStartedAt],
  );
  return result.rowCount ?? 0;
}

/** What the sync needs to decide whether to read a listed VM's instance view (src/domain/instance-view-reads.ts). */
export interface StoredVmState {
  maintenanceReadAt: Date | null;
  maintenance: MaintenanceStatus | null;
  activeBooking: boolean;
}

/** Stored state of the VMs with these lower-cased resource ids (absent: never seen). */
export async function storedVmStates(q: Queryable, resourceIdKeys: string[]): Promise<Map<string, StoredVmState>> {
  type Row = MaintenanceColumns & { resource_id_key: string; maintenance_read_at: Date | null; has_status: boolean; active_booking: boolean };
  const { rows } = await q.query<Row>(
    `SELECT v.resource_id_key, v.maintenance_read_at, m.virtual_machine_id IS NOT NULL AS has_status, ${maintenanceColumnList("m")},
       EXISTS (SELECT 1 FROM bookings b WHERE b.virtual_machine_id = v.id AND b.state IN ('scheduled', 'held', 'running')) AS active_booking
     FROM virtual_machines v LEFT JOIN maintenance_statuses m ON m.virtual_machine_id = v.id
     WHERE v.resource_id_key = ANY($1::text[])`,
    [resourceIdKeys],
  );
  return new Map(
    rows.map((r) => [r.resource_id_key, { maintenanceReadAt: r.maintenance_read_at, maintenance: r.has_status ? statusFromColumns(r) : null, activeBooking: r.active_booking }]),
  );
}
