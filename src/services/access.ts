// The caller of a use case: who (recorded on what they change and in the audit trail), which request, and
// which VMs they may see and book. Built once per request (src/http/identity.ts).
import type pg from "pg";
import { scopeFrom, type Principal, type Scope } from "../domain/access.js";
import { DomainError } from "../domain/errors.js";
import type { AuditContext } from "../db/audit-repo.js";
import { anyAssignments, assignmentsFor } from "../db/scope-assignments-repo.js";

export interface Caller extends AuditContext {
  /** The principal's stable id (oid / appid): idempotency keys belong to it. */
  principalId: string;
  /** null: unrestricted. */
  scope: Scope;
}

export async function loadScope(pool: pg.Pool, principal: Principal): Promise<Scope> {
  const own = await assignmentsFor(pool, principal.ids);
  // Without the token's groups, a group assignment that should narrow this user cannot be seen. Scope only
  // narrows, so not seeing it would widen access: refuse instead, unless the user's own assignments already bound it.
  if (principal.groupsUnknown && own.length === 0 && (await anyAssignments(pool))) {
    throw new DomainError(
      "forbidden",
      "Your token does not list your groups (Entra group overage), and scope assignments are in use. Ask an admin to assign a scope to you directly, or to emit only groups assigned to the application.",
    );
  }
  return scopeFrom(own);
}
