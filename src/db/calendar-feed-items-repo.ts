// What a calendar feed shows, read with the API's own VM filters (virtualMachineWhere), so a feed's scope and
// "pending" mean exactly what they mean in GET /v1/virtual-machines.
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Scope } from "../domain/access.js";
import { ACTIVE_STATES, type BookingState } from "../domain/booking-states.js";
import type { FeedBooking, FeedVm } from "../domain/calendar-feed.js";
import { virtualMachineWhere } from "./virtual-machines-repo.js";

/** Active bookings, and bookings that ended at `since` or later, of VMs in scope (gone VMs too), by start time. */
export async function feedBookings(prisma: PrismaClient, scope: Scope, since: Date, now: Date): Promise<FeedBooking[]> {
  const rows = await prisma.booking.findMany({
    where: {
      OR: [{ state: { in: [...ACTIVE_STATES] } }, { finishedAt: { gte: since } }],
      virtualMachine: virtualMachineWhere({ scope, includeGone: true }, now),
    },
    include: { virtualMachine: { select: { id: true, name: true, resourceId: true } } },
    orderBy: [{ startAt: "asc" }, { id: "asc" }],
  });
  return rows.map((b) => ({
    id: b.id, startAt: b.startAt, state: b.state as BookingState, stateReason: b.stateReason, note: b.note, createdBy: b.createdBy,
    updatedAt: b.updatedAt, finishedAt: b.finishedAt, vm: b.virtualMachine,
  }));
}

/** VMs in scope whose maintenance is known and pending, with when it last changed and their latest booking. */
export async function feedVirtualMachines(prisma: PrismaClient, scope: Scope, now: Date): Promise<FeedVm[]> {
  const rows = await prisma.virtualMachine.findMany({
    where: { AND: [virtualMachineWhere({ scope, maintenance: "pending" }, now), { maintenanceReadAt: { not: null } }] },
    include: {
      maintenance: true,
      windowHistory: { orderBy: [{ observedAt: "desc" }, { id: "desc" }], take: 1, select: { observedAt: true } },
      bookings: { orderBy: [{ updatedAt: "desc" }, { id: "desc" }], take: 1, select: { id: true, state: true, startAt: true, updatedAt: true } },
    },
    orderBy: { resourceIdKey: "asc" },
  });
  return rows.flatMap((vm) => {
    const m = vm.maintenance;
    if (!m) return [];
    const latest = vm.bookings[0];
    return [{
      id: vm.id, name: vm.name, resourceId: vm.resourceId, maintenanceReadAt: vm.maintenanceReadAt,
      status: {
        customerInitiatedMaintenanceAllowed: m.customerInitiatedMaintenanceAllowed,
        selfServiceWindow: { start: m.selfServiceWindowStart, end: m.selfServiceWindowEnd },
        scheduledWindow: { start: m.scheduledWindowStart, end: m.scheduledWindowEnd },
        lastOperationResultCode: m.lastOperationResultCode, lastOperationMessage: m.lastOperationMessage,
      },
      changedAt: vm.windowHistory[0]?.observedAt ?? m.observedAt,
      latestBooking: latest ? { ...latest, state: latest.state as BookingState } : null,
    }];
  });
}
