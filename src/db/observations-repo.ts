// Set-based writes of one sync page: upsert the VMs, diff their maintenance status against what is stored,
// write the new status and one history row per change — one transaction, a handful of statements per page.
import type pg from "pg";
import type { ArmVirtualMachine, InstanceViewFacts } from "../azure/gateway.js";
import { armKey } from "../domain/arm-names.js";
import { classifyChange, type WindowChange } from "../domain/maintenance.js";
import {
  MAINTENANCE_RECORD_COLUMNS,
  columnsFromStatus,
  maintenanceColumnList,
  maintenanceColumnUpdates,
  statusFromColumns,
  type MaintenanceColumns,
} from "./maintenance-rows.js";
import { withTransaction } from "./transaction.js";

export type ObservedVm = Omit<ArmVirtualMachine, "instanceView"> & { instanceView: InstanceViewFacts };

export interface ObservationCounts {
  appeared: number;
  changed: number;
  cleared: number;
}

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
  platform_update_domain = EXCLUDED.platform_update_domain, platform_fault_domain = EXCLUDED.platform_fault_domain,
  tags = EXCLUDED.tags, power_state = EXCLUDED.power_state, last_seen_at = EXCLUDED.last_seen_at, gone_since = NULL
RETURNING id, resource_id_key`;

const CURRENT_STATUSES = `SELECT virtual_machine_id, ${maintenanceColumnList()}
FROM maintenance_statuses WHERE virtual_machine_id = ANY($1::uuid[])`;

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
    platform_update_domain: vm.instanceView.platformUpdateDomain,
    platform_fault_domain: vm.instanceView.platformFaultDomain,
    tags: vm.tags,
    power_state: vm.instanceView.powerState,
  };
}

/** Records one page of observed VMs. `vms` must not repeat a resource id (compared by armKey, as ARM compares ids). */
// Times come from the database clock (now()), like the run's start, so "not seen since the run started" holds
// whatever the app servers' clocks say.
export async function recordObservations(pool: pg.Pool, syncRunId: string | null, vms: ObservedVm[]): Promise<ObservationCounts> {
  if (vms.length === 0) return { appeared: 0, changed: 0, cleared: 0 };
  return withTransaction(pool, async (client) => {
    const upserted = await client.query<{ id: string; resource_id_key: string }>(UPSERT_VMS, [JSON.stringify(vms.map(vmRecord))]);
    const idByKey = new Map(upserted.rows.map((r) => [r.resource_id_key, r.id]));
    const ids = [...idByKey.values()];
    const current = await client.query<MaintenanceColumns & { virtual_machine_id: string }>(CURRENT_STATUSES, [ids]);
    const before = new Map(current.rows.map((r) => [r.virtual_machine_id, statusFromColumns(r)]));

    const statuses: object[] = [];
    const clearedIds: string[] = [];
    const movedIds: string[] = [];
    const history: object[] = [];
    const counts: ObservationCounts = { appeared: 0, changed: 0, cleared: 0 };
    for (const vm of vms) {
      const id = idByKey.get(armKey(vm.resourceId))!;
      const after = vm.instanceView.maintenance;
      const change: WindowChange | null = classifyChange(before.get(id) ?? null, after);
      if (after) statuses.push({ virtual_machine_id: id, ...columnsFromStatus(after) });
      else if (before.has(id)) clearedIds.push(id);
      if (change === "moved") movedIds.push(id);
      if (!change) continue;
      history.push({ virtual_machine_id: id, change, ...columnsFromStatus(after) });
      if (change === "appeared") counts.appeared++;
      else if (change === "cleared") counts.cleared++;
      else counts.changed++;
    }
    if (statuses.length) await client.query(UPSERT_STATUSES, [JSON.stringify(statuses)]);
    if (clearedIds.length) await client.query(DELETE_STATUSES, [clearedIds]);
    if (movedIds.length) await client.query(CLEAR_SKIPPED, [movedIds]);
    if (history.length) await client.query(INSERT_HISTORY, [JSON.stringify(history), syncRunId]);
    return counts;
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
