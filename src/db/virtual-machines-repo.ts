// Read side of VMs for the API (Prisma). The maintenance filters mirror isPending / isSelfServiceOpen in
// src/domain/maintenance.ts; test/integration/virtual-machines-api.test.ts checks them against each other.
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import type { Scope } from "../domain/access.js";
import { armKey, subscriptionIdOf } from "../domain/arm-names.js";
import type { MaintenanceFilter } from "../domain/maintenance.js";

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
  if (filter === "none") return { maintenance: { is: null } };
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
