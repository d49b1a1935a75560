// Read side of VMs for the API. The list is the hottest read (portals page through the whole estate), so it is
// one hand-written statement on the pg pool, returning the same record shape Prisma does (serializers.ts maps
// either); the detail keeps Prisma. The maintenance classes mirror isPending / isSelfServiceOpen in
// src/domain/maintenance.ts and isUnbooked in src/domain/deadlines.ts; test/integration/virtual-machines-api.test.ts checks them against each other, and
// the /metrics gauges count with the same conditions (metrics-repo.ts).
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Scope } from "../domain/access.js";
import { armKey, subscriptionIdOf } from "../domain/arm-names.js";
import { ACTIVE_STATES } from "../domain/booking-states.js";
import type { MaintenanceFilter } from "../domain/maintenance.js";
import type { Queryable } from "./leases-repo.js";

export interface VirtualMachineFilters {
  subscriptionId?: string;
  resourceGroup?: string;
  maintenance?: MaintenanceFilter;
  q?: string;
  /** `key=value`: the tag `key` has exactly this value. */
  tag?: string;
  includeGone?: boolean;
  /** Members of this maintenance group (the page groups its timeline by group with one such list per group). */
  maintenanceGroup?: string;
  /** The caller's scope assignments; null: unrestricted. */
  scope?: Scope;
}

/** A WHERE clause under construction: conditions joined by AND, values as numbered parameters. */
export class SqlConditions {
  readonly params: unknown[] = [];
  readonly conditions: string[] = [];
  param(value: unknown): string {
    return `$${this.params.push(value)}`;
  }
  add(condition: string): this {
    this.conditions.push(condition);
    return this;
  }
  where(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(" AND ")}` : "";
  }
}

/**
 * The maintenance classes as SQL over `v` (virtual_machines) and `m` (its maintenance_statuses row, LEFT JOINed);
 * values go through `sql.param` (only those the condition uses: Postgres refuses parameters it cannot type).
 * `unknown`: the VM's instance view was never read; `none`: read, and nothing planned — never the same thing.
 * `unbooked` (src/domain/deadlines.ts isUnbooked): known, pending, a self-service window still to end, no active booking.
 */
export function maintenanceCondition(filter: MaintenanceFilter, at: Date, sql: SqlConditions): string {
  if (filter === "unknown") return "v.maintenance_read_at IS NULL";
  if (filter === "none") return "(v.maintenance_read_at IS NOT NULL AND m.virtual_machine_id IS NULL)";
  const now = `${sql.param(at)}::timestamptz`;
  const open = `(m.customer_initiated_maintenance_allowed IS TRUE
    AND (m.self_service_window_start IS NULL OR m.self_service_window_start <= ${now})
    AND (m.self_service_window_end IS NULL OR m.self_service_window_end > ${now}))`;
  const pending = `(m.virtual_machine_id IS NOT NULL
    AND m.last_operation_result_code IS DISTINCT FROM 'MaintenanceCompleted'
    AND (CASE WHEN m.scheduled_window_end IS NOT NULL THEN m.scheduled_window_end > ${now}
              ELSE m.self_service_window_end IS NULL OR m.self_service_window_end > ${now} END))`;
  if (filter === "self-service-open") return open;
  if (filter === "pending") return pending;
  return `(${pending} AND v.maintenance_read_at IS NOT NULL AND m.self_service_window_end > ${now}
    AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.virtual_machine_id = v.id AND b.state = ANY(${sql.param(ACTIVE_STATES)}::text[])))`;
}

/**
 * The list's filters (all but the cursor) as conditions over `v` and `m`. Names are compared as ARM compares them,
 * on keys the database keeps (resource_group_key, name_key, src/domain/arm-names.ts): never lower().
 */
export function virtualMachineConditions(f: VirtualMachineFilters, now: Date, sql = new SqlConditions()): SqlConditions {
  // A subscription filter that is no GUID matches nothing (stored ids always are).
  if (f.subscriptionId) {
    const id = subscriptionIdOf(f.subscriptionId);
    sql.add(id === null ? "false" : `v.subscription_id = ${sql.param(id)}`);
  }
  if (f.resourceGroup) sql.add(`v.resource_group_key = ${sql.param(armKey(f.resourceGroup))}`);
  // % and _ in a search are text, not wildcards (backslash is LIKE's default escape).
  if (f.q) sql.add(`v.name_key LIKE ${sql.param(`%${armKey(f.q).replace(/[\\%_]/g, "\\$&")}%`)}`);
  if (f.tag) {
    const at = f.tag.indexOf("=");
    sql.add(`v.tags @> ${sql.param(JSON.stringify({ [f.tag.slice(0, at)]: f.tag.slice(at + 1) }))}::jsonb`);
  }
  if (!f.includeGone) sql.add("v.gone_since IS NULL");
  if (f.maintenanceGroup) {
    sql.add(`EXISTS (SELECT 1 FROM maintenance_group_members g WHERE g.virtual_machine_id = v.id AND g.group_name = ${sql.param(f.maintenanceGroup)})`);
  }
  if (f.maintenance) sql.add(maintenanceCondition(f.maintenance, now, sql));
  if (f.scope) {
    const subs = sql.param(f.scope.map((e) => e.subscriptionId));
    const groups = sql.param(f.scope.map((e) => e.resourceGroupKey));
    sql.add(`EXISTS (SELECT 1 FROM unnest(${subs}::text[], ${groups}::text[]) AS s(sub, rg)
      WHERE v.subscription_id = s.sub AND (s.rg IS NULL OR v.resource_group_key = s.rg))`);
  }
  return sql;
}

// API field ← column, for the record Prisma would return (a new column is one line here).
const VM_COLUMNS = {
  id: "v.id", resourceId: "v.resource_id", resourceIdKey: "v.resource_id_key", subscriptionId: "v.subscription_id",
  resourceGroup: "v.resource_group", name: "v.name", location: "v.location", scaleSetName: "v.scale_set_name",
  scaleSetInstanceId: "v.scale_set_instance_id", availabilitySet: "v.availability_set", zone: "v.zone",
  platformUpdateDomain: "v.platform_update_domain", platformFaultDomain: "v.platform_fault_domain", tags: "v.tags",
  powerState: "v.power_state", firstSeenAt: "v.first_seen_at", lastSeenAt: "v.last_seen_at", goneSince: "v.gone_since",
  maintenanceReadAt: "v.maintenance_read_at",
};
const MAINTENANCE_COLUMNS = {
  virtualMachineId: "m.virtual_machine_id", customerInitiatedMaintenanceAllowed: "m.customer_initiated_maintenance_allowed",
  selfServiceWindowStart: "m.self_service_window_start", selfServiceWindowEnd: "m.self_service_window_end",
  scheduledWindowStart: "m.scheduled_window_start", scheduledWindowEnd: "m.scheduled_window_end",
  lastOperationResultCode: "m.last_operation_result_code", lastOperationMessage: "m.last_operation_message",
  observedAt: "m.observed_at", skippedAt: "m.skipped_at",
};
const select = (columns: Record<string, string>, prefix = "") => Object.entries(columns).map(([field, column]) => `${column} AS "${prefix}${field}"`).join(", ");
const LIST_COLUMNS = `${select(VM_COLUMNS)}, ${select(MAINTENANCE_COLUMNS, "m.")}`;

/** The shape of findVirtualMachine's record without its relations: what virtualMachineJson takes. */
export type VirtualMachineListRecord = Omit<VirtualMachineRecord, "windowHistory" | "bookings">;

function record(row: Record<string, unknown>): VirtualMachineListRecord {
  const vm: Record<string, unknown> = {};
  for (const field in VM_COLUMNS) vm[field] = row[field];
  let maintenance: Record<string, unknown> | null = null;
  if (row["m.virtualMachineId"] !== null) {
    maintenance = {};
    for (const field in MAINTENANCE_COLUMNS) maintenance[field] = row[`m.${field}`];
  }
  vm.maintenance = maintenance;
  return vm as unknown as VirtualMachineListRecord;
}

/** Where the previous page ended: its last VM's resource id key, and its deadline when listing by deadline. */
export interface ListPosition {
  key: string;
  deadline?: Date;
}

/**
 * By resource id; `unbooked` by deadline (self-service window end, soonest first), then resource id. The position
 * continues whichever order the filter gives.
 */
export async function listVirtualMachines(db: Queryable, f: VirtualMachineFilters, now: Date, limit: number, after: ListPosition | null): Promise<VirtualMachineListRecord[]> {
  const byDeadline = f.maintenance === "unbooked";
  const sql = virtualMachineConditions(f, now);
  if (after && byDeadline && after.deadline) {
    sql.add(`(m.self_service_window_end, v.resource_id_key) > (${sql.param(after.deadline)}::timestamptz, ${sql.param(after.key)})`);
  } else if (after) sql.add(`v.resource_id_key > ${sql.param(after.key)}`);
  const order = byDeadline ? "m.self_service_window_end, v.resource_id_key" : "v.resource_id_key";
  const { rows } = await db.query(
    `SELECT ${LIST_COLUMNS} FROM virtual_machines v LEFT JOIN maintenance_statuses m ON m.virtual_machine_id = v.id
     ${sql.where()} ORDER BY ${order} LIMIT ${sql.param(limit)}`,
    sql.params,
  );
  return rows.map(record);
}

export function findVirtualMachine(prisma: PrismaClient, id: string) {
  return prisma.virtualMachine.findUnique({
    where: { id },
    include: {
      maintenance: true,
      windowHistory: { orderBy: [{ observedAt: "desc" }, { id: "desc" }], take: 100 },
      bookings: { orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 100, include: { attempts: { orderBy: { number: "asc" } } } },
    },
  });
}

export type VirtualMachineRecord = NonNullable<Awaited<ReturnType<typeof findVirtualMachine>>>;

/** VMs with their maintenance, by id, in the list's record shape (for event payloads written in a pg transaction). */
export async function virtualMachinesById(q: Queryable, ids: string[]): Promise<Map<string, VirtualMachineListRecord>> {
  const { rows } = await q.query(
    `SELECT ${LIST_COLUMNS} FROM virtual_machines v LEFT JOIN maintenance_statuses m ON m.virtual_machine_id = v.id WHERE v.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id as string, record(row)]));
}
