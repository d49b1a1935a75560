// Use cases for reading VMs.
import type { PrismaClient } from "../generated/prisma/client.js";
import { inScope, type Scope } from "../domain/access.js";
import { cursorCodec } from "../domain/cursor.js";
import { DomainError } from "../domain/errors.js";
import type { Queryable } from "../db/bookings-repo.js";
import { findVirtualMachine, listVirtualMachines, type VirtualMachineFilters } from "../db/virtual-machines-repo.js";

const BY_KEY = cursorCodec({ k: "resource-id-key" });
/** `maintenance=unbooked` lists by deadline, so its cursor carries the last deadline (`d`) as well as the key (`k`). */
const BY_DEADLINE = cursorCodec({ d: "timestamp", k: "resource-id-key" });

export async function listVirtualMachinesPage(db: Queryable, filters: VirtualMachineFilters, limit: number, cursor: string | undefined, now: Date) {
  if (filters.maintenance === "unbooked") {
    const after = BY_DEADLINE.decode(cursor);
    const rows = await listVirtualMachines(db, filters, now, limit + 1, after && { key: after.k, deadline: after.d });
    // An unbooked VM always has a self-service window end (the filter requires one in the future).
    return BY_DEADLINE.page(rows, limit, (last) => ({ d: last.maintenance!.selfServiceWindowEnd!, k: last.resourceIdKey }));
  }
  const after = BY_KEY.decode(cursor);
  const rows = await listVirtualMachines(db, filters, now, limit + 1, after && { key: after.k });
  return BY_KEY.page(rows, limit, (last) => ({ k: last.resourceIdKey }));
}

/** A VM outside the caller's scope does not exist for them (404). */
export async function getVirtualMachine(prisma: PrismaClient, id: string, scope: Scope = null) {
  const vm = await findVirtualMachine(prisma, id);
  if (!vm || !inScope(scope, vm)) throw new DomainError("not-found", `No virtual machine with id ${id}.`);
  return vm;
}
