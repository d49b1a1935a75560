// The caller of a use case: who (recorded on what they change and in the audit trail), which request, and
// which VMs they may see and book. Built once per request (src/http/identity.ts), from the principal and its
// scope assignments — its own and those of its groups.
import type pg from "pg";
import { scopeFrom, type Principal, type Scope } from "../domain/access.js";
import { DomainError } from "../domain/errors.js";
import type { AuditContext } from "../db/audit-repo.js";
import { assignmentsFor, assignmentsBeyond } from "../db/scope-assignments-repo.js";

export interface Caller extends AuditContext {
  /** The principal's stable id (oid / appid): idempotency keys belong to it. */
  principalId: string;
  /** null: unrestricted. */
  scope: Scope;
}

/** A directory that knows group membership (Microsoft Graph, src/http/auth/graph-groups.ts). */
export interface GroupDirectory {
  /** Every group the principal is in, transitively, lower-cased; rejects with GroupLookupError saying why not. */
  memberGroups(principal: Principal): Promise<string[]>;
}

export class GroupLookupError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = "GroupLookupError";
  }
}

export interface AccessOptions {
  /** null: groups are never looked up (AUTH_GROUP_SOURCE=claim, or no Entra). */
  directory: GroupDirectory | null;
  /** Look groups up even when the token lists some (AUTH_GROUP_SOURCE=graph). */
  alwaysLookUp: boolean;
}

export interface Access {
  /** The principal's scope (null: unrestricted); `forbidden` when its groups matter and cannot be known. */
  scope(principal: Principal): Promise<Scope>;
  /** Every id an assignment could name to restrict the principal: its own and all its groups; `forbidden` when unknown. */
  allIds(principal: Principal): Promise<string[]>;
}

function unknownGroups(why: string): DomainError {
  return new DomainError(
    "forbidden",
    `Your token does not list your groups and ${why}, while scope assignments are in use: scope only narrows, so unknown groups cannot be left out. ` +
      "Ask an admin to assign a scope to you directly, or to let the service read group memberships from Microsoft Graph.",
  );
}

/** `pool` is read per call: the OpenAPI generator builds the app without a database. */
export function createAccess(pool: () => pg.Pool, { directory, alwaysLookUp }: AccessOptions): Access {
  const listed = (p: Principal) => (alwaysLookUp ? null : p.groups);

  async function groupsOf(principal: Principal): Promise<string[]> {
    const known = listed(principal) ?? (principal.kind === "anonymous" ? [] : null);
    if (known) return known;
    if (!directory) throw unknownGroups("this service does not look them up (AUTH_GROUP_SOURCE=claim)");
    try {
      return await directory.memberGroups(principal);
    } catch (error) {
      if (error instanceof GroupLookupError) throw unknownGroups(`Microsoft Graph could not be asked for them (${error.message})`);
      throw error;
    }
  }

  return {
    async scope(principal) {
      const own = principal.ownIds;
      // Groups matter only when some assignment names someone else than the principal itself (any of them may be
      // one of its groups); most requests then need no lookup at all.
      if (listed(principal) === null && !(await assignmentsBeyond(pool(), own))) return scopeFrom(await assignmentsFor(pool(), own));
      let groups: string[];
      try {
        groups = await groupsOf(principal);
      } catch (error) {
        // Its own assignments still bound it: a scope without its groups' assignments is narrower, never wider.
        const direct = await assignmentsFor(pool(), own);
        if (direct.length > 0) return scopeFrom(direct);
        throw error;
      }
      return scopeFrom(await assignmentsFor(pool(), [...own, ...groups]));
    },
    async allIds(principal) {
      return [...new Set([...principal.ownIds, ...(await groupsOf(principal))])];
    },
  };
}
