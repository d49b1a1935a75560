// Use cases for reading VMs.
import type { PrismaClient } from "../generated/prisma/client.js";
import { inScope, type Scope } from "../domain/access.js";
import { decodeCursor, toPage } from "../domain/cursor.js";
import { DomainError } from "../domain/errors.js";
import { findVirtualMachine, listVirtualMachines, type ListPosition, type VirtualMachineFilters } from "../db/virtual-machines-repo.js";

/** `maintenance=unbooked` lists by deadline, so its cursor carries the last deadline (`d`) as well as the key (`k`). */
function decodePosition(cursor: string, byDeadline: boolean): ListPosition {
  if (!byDeadline) return { key: decodeCursor(cursor, ["k"]).k };
  const { d, k } = decodeCursor(cursor, ["d", "k"]);
  const deadline = new Date(d);
  if (Number.isNaN(deadline.getTime()) || deadline.toISOString() !== d) {
    throw new DomainError("invalid-cursor", "The cursor is not one this service issued. Start again without `cursor`.");
  }
  return { key: k, deadline };
}

export async function listVirtualMachinesPage(prisma: PrismaClient, filters: VirtualMachineFilters, limit: number, cursor: string | undefined, now: Date) {
  const byDeadline = filters.maintenance === "unbooked";
  const rows = await listVirtualMachines(prisma, filters, now, limit + 1, cursor ? decodePosition(cursor, byDeadline) : null);
  // An unbooked VM always has a self-service window end (the filter requires one in the future).
  return toPage(rows, limit, (last): Record<string, string> =>
    byDeadline ? { d: last.maintenance!.selfServiceWindowEnd!.toISOString(), k: last.resourceIdKey } : { k: last.resourceIdKey },
  );
}

/** A VM outside the caller's scope does not exist for them (404). */
export async function getVirtualMachine(prisma: PrismaClient, id: string, scope: Scope = null) {
  const vm = await findVirtualMachine(prisma, id);
  if (!vm || !inScope(scope, vm)) throw new DomainError("not-found", `No virtual machine with id ${id}.`);
  return vm;
}
