// Use cases for reading VMs.
import type { PrismaClient } from "../generated/prisma/client.js";
import { inScope, type Scope } from "../domain/access.js";
import { cursorCodec } from "../domain/cursor.js";
import { DomainError } from "../domain/errors.js";
import type { Queryable } from "../db/bookings-repo.js";
import { findVirtualMachine, listVirtualMachines, type VirtualMachineFilters } from "../db/virtual-machines-repo.js";

const CURSOR = cursorCodec({ k: "resource-id-key" });

export async function listVirtualMachinesPage(db: Queryable, filters: VirtualMachineFilters, limit: number, cursor: string | undefined, now: Date) {
  const after = CURSOR.decode(cursor)?.k ?? null;
  const rows = await listVirtualMachines(db, filters, now, limit + 1, after);
  return CURSOR.page(rows, limit, (last) => ({ k: last.resourceIdKey }));
}

/** A VM outside the caller's scope does not exist for them (404). */
export async function getVirtualMachine(prisma: PrismaClient, id: string, scope: Scope = null) {
  const vm = await findVirtualMachine(prisma, id);
  if (!vm || !inScope(scope, vm)) throw new DomainError("not-found", `No virtual machine with id ${id}.`);
  return vm;
}
