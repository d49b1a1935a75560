// Read side of VMs for the API (Prisma). The maintenance filters mirror isPending / isSelfServiceOpen in
// src/domain/maintenance.ts and isUnbooked in src/domain/deadlines.ts; test/integration/virtual-machines-api.test.ts
// checks them against each other.
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import type { Scope } from "../domain/access.js";
import { ACTIVE_STATES } from "../domain/booking-states.js";
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
  if (filter === "unknown") return { maintenanceReadAt: null };
  if (filter === "unbooked") {
    return {
      AND: [
        maintenanceWhere("pending", now),
        { maintenanceReadAt: { not: null }, maintenance: { is: { selfServiceWindowEnd: { gt: now } } } },
        { bookings: { none: { state: { in: [...ACTIVE_STATES] } } } },
      ],
    };
  }
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
  if (f.subscriptionId) and.push({ subscriptionId: f.subscriptionId.toLowerCase() });
  if (f.resourceGroup) and.push({ resourceGroup: { equals: f.resourceGroup, mode: "insensitive" } });
  // Prisma passes `contains` to ILIKE as is: % and _ in a search would be wildcards, so they are escaped.
  if (f.q) and.push({ name: { contains: f.q.replace(/[\\%_]/g, "\\$&"), mode: "insensitive" } });
  if (!f.includeGone) and.push({ goneSince: null });
  if (f.maintenance) and.push(maintenanceWhere(f.maintenance, now));
  if (f.scope) {
    and.push({
      OR: f.scope.map((e) => ({
        subscriptionId: { equals: e.subscriptionId, mode: "insensitive" as const },
        ...(e.resourceGroup === null ? {} : { resourceGroup: { equals: e.resourceGroup, mode: "insensitive" as const } }),
      })),
    });
  }
  return { AND: and };
}

/** Where the previous page ended: its last VM's resource id key, and its deadline when listing by deadline. */
export interface ListPosition {
  key: string;
  deadline?: Date;
}

/**
 * By resource id; `unbooked` by deadline (self-service window end, soonest first), then resource id. The
 * position continues whichever order the filter gives.
 */
export function listVirtualMachines(prisma: PrismaClient, f: VirtualMachineFilters, now: Date, limit: number, after: ListPosition | null) {
  const byDeadline = f.maintenance === "unbooked";
  const where = virtualMachineWhere(f, now);
  const afterWhere: Prisma.VirtualMachineWhereInput | null = !after
    ? null
    : byDeadline && after.deadline
      ? {
          OR: [
            { maintenance: { is: { selfServiceWindowEnd: { gt: after.deadline } } } },
            { maintenance: { is: { selfServiceWindowEnd: after.deadline } }, resourceIdKey: { gt: after.key } },
          ],
        }
      : { resourceIdKey: { gt: after.key } };
  return prisma.virtualMachine.findMany({
    where: afterWhere ? { AND: [where, afterWhere] } : where,
    include: { maintenance: true },
    orderBy: byDeadline ? [{ maintenance: { selfServiceWindowEnd: "asc" } }, { resourceIdKey: "asc" }] : { resourceIdKey: "asc" },
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
