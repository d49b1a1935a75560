// Read side of VMs for the API (Prisma). The maintenance filters mirror isPending / isSelfServiceOpen in
// src/domain/maintenance.ts; test/integration/virtual-machines-api.test.ts checks them against each other.
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import type { Scope } from "../domain/access.js";
import { armKey, subscriptionIdOf } from "../domain/arm-names.js";
import type { MaintenanceFilter } from "../domain/maintenance.js";
import type { Queryable } from "./leases-repo.js";

export interface VirtualMachineFilters {
  subscriptionId?: string;
  resourceGroup?: string;
  maintenance?: MaintenanceFilter;
  q?: string;
  includeGone?: boolean;
  /** The caller's scope assignments; null: unrestricted. */
  scope?: Scope;
}

function maintenanceWhere(filter: MaintenanceFilter, now: Date): Prisma.VirtualMachineWhereInput {
  if (filter === "unknown") return { maintenanceReadAt: null };
  if (filter === "none") return { maintenanceReadAt: { not: null }, maintenance: { is: null } };
  if (filter === "self-service-open") {
    return {
      maintenance: {
        is: {
          customerInitiatedMaintenanceAllowed: true,
          AND: [
            { OR: [{ selfServiceWindowStart: null }, { selfServiceWindowStart: { lte: now } }] },
            { OR: [{ selfServiceWindowEnd: null }, { selfServiceWindowEnd: { gt: now } }] },
          ],
        },
      },
    };
  }
  return {
    maintenance: {
      is: {
        AND: [
          { OR: [{ lastOperationResultCode: null }, { lastOperationResultCode: { not: "MaintenanceCompleted" } }] },
          {
            OR: [
              { scheduledWindowEnd: { gt: now } },
              { scheduledWindowEnd: null, OR: [{ selfServiceWindowEnd: null }, { selfServiceWindowEnd: { gt: now } }] },
            ],
          },
        ],
      },
    },
  };
}

export function virtualMachineWhere(f: VirtualMachineFilters, now: Date): Prisma.VirtualMachineWhereInput {
  const and: Prisma.VirtualMachineWhereInput[] = [];
  // Names compared as ARM compares them, on keys the database keeps (resource_group_key, name_key): never lower().
  // A subscription filter that is no GUID matches nothing (stored ids always are).
  if (f.subscriptionId) and.push({ subscriptionId: subscriptionIdOf(f.subscriptionId) ?? { in: [] } });
  if (f.resourceGroup) and.push({ resourceGroupKey: armKey(f.resourceGroup) });
  // Prisma passes `contains` to LIKE as is: % and _ in a search would be wildcards, so they are escaped.
  if (f.q) and.push({ nameKey: { contains: armKey(f.q).replace(/[\\%_]/g, "\\$&") } });
  if (!f.includeGone) and.push({ goneSince: null });
  if (f.maintenance) and.push(maintenanceWhere(f.maintenance, now));
  if (f.scope) {
    and.push({
      OR: f.scope.map((e) => ({ subscriptionId: e.subscriptionId, ...(e.resourceGroupKey === null ? {} : { resourceGroupKey: e.resourceGroupKey }) })),
    });
  }
  return { AND: and };
}

export function listVirtualMachines(prisma: PrismaClient, f: VirtualMachineFilters, now: Date, limit: number, afterKey: string | null) {
  return prisma.virtualMachine.findMany({
    where: afterKey ? { AND: [virtualMachineWhere(f, now), { resourceIdKey: { gt: afterKey } }] } : virtualMachineWhere(f, now),
    include: { maintenance: true },
    orderBy: { resourceIdKey: "asc" },
    take: limit,
  });
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

/** VMs with their maintenance, by id, in the shape Prisma gives findVirtualMachine (for event payloads written in a
 * pg transaction, where Prisma's client cannot join). */
export async function virtualMachinesById(q: Queryable, ids: string[]): Promise<Map<string, Omit<VirtualMachineRecord, "windowHistory" | "bookings">>> {
  const { rows } = await q.query(
    `SELECT v.id, v.resource_id AS "resourceId", v.resource_id_key AS "resourceIdKey", v.subscription_id AS "subscriptionId",
       v.resource_group AS "resourceGroup", v.name, v.location, v.scale_set_name AS "scaleSetName", v.scale_set_instance_id AS "scaleSetInstanceId",
       v.availability_set AS "availabilitySet", v.zone, v.platform_update_domain AS "platformUpdateDomain", v.platform_fault_domain AS "platformFaultDomain",
       v.tags, v.power_state AS "powerState", v.first_seen_at AS "firstSeenAt", v.last_seen_at AS "lastSeenAt", v.gone_since AS "goneSince",
       v.maintenance_read_at AS "maintenanceReadAt",
       CASE WHEN m.virtual_machine_id IS NULL THEN NULL ELSE json_build_object(
         'virtualMachineId', m.virtual_machine_id, 'customerInitiatedMaintenanceAllowed', m.customer_initiated_maintenance_allowed,
         'selfServiceWindowStart', m.self_service_window_start, 'selfServiceWindowEnd', m.self_service_window_end,
         'scheduledWindowStart', m.scheduled_window_start, 'scheduledWindowEnd', m.scheduled_window_end,
         'lastOperationResultCode', m.last_operation_result_code, 'lastOperationMessage', m.last_operation_message,
         'observedAt', m.observed_at, 'skippedAt', m.skipped_at) END AS maintenance
     FROM virtual_machines v LEFT JOIN maintenance_statuses m ON m.virtual_machine_id = v.id WHERE v.id = ANY($1::uuid[])`,
    [ids],
  );
  const asDate = (v: unknown) => (v === null ? null : new Date(v as string));
  return new Map(
    rows.map((r) => {
      const m = r.maintenance;
      const maintenance = m && {
        ...m, selfServiceWindowStart: asDate(m.selfServiceWindowStart), selfServiceWindowEnd: asDate(m.selfServiceWindowEnd),
        scheduledWindowStart: asDate(m.scheduledWindowStart), scheduledWindowEnd: asDate(m.scheduledWindowEnd),
        observedAt: asDate(m.observedAt), skippedAt: asDate(m.skippedAt),
      };
      return [r.id, { ...r, maintenance }];
    }),
  );
}
