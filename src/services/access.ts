// The caller of a use case: who (recorded on what they change and in the audit trail), which request, and
// which VMs they may see and book. Built once per request (src/http/identity.ts).
import type pg from "pg";
import { inScope, scopeFrom, type Principal, type Scope } from "../domain/access.js";
import { DomainError } from "../domain/errors.js";
import type { AuditContext } from "../db/audit-repo.js";
import { assignmentsFor } from "../db/scope-assignments-repo.js";

export interface Caller extends AuditContext {
  /** null: unrestricted. */
  scope: Scope;
}

export async function loadScope(pool: pg.Pool, principal: Principal): Promise<Scope> {
  return scopeFrom(await assignmentsFor(pool, principal.ids));
}

/** Writes outside the caller's scope are refused (403), naming where the VM is so an admin can assign it. */
export function requireInScope(scope: Scope, vm: { subscriptionId: string; resourceGroup: string } | null, what: string): void {
  if (vm && !inScope(scope, vm)) {
    throw new DomainError("forbidden", `${what} is in subscription ${vm.subscriptionId}, resource group ${vm.resourceGroup}, outside your scope assignments.`);
  }
}
