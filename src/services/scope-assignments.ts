// Admin use cases for scope assignments. Each change and its audit event are one transaction.
import type pg from "pg";
import { cursorCodec, type Page } from "../domain/cursor.js";
import { DomainError } from "../domain/errors.js";
import { appendAuditEvent, type AuditContext } from "../db/audit-repo.js";
import { deleteAssignment, insertAssignment, listAssignments, type ScopeAssignmentRow } from "../db/scope-assignments-repo.js";
import { withTransaction } from "../db/transaction.js";

const CURSOR = cursorCodec({ id: "uuid" });

export interface NewScopeAssignment {
  principalId: string;
  subscriptionId: string;
  resourceGroup?: string | null;
}

export async function listScopeAssignmentsPage(pool: pg.Pool, principalId: string | undefined, limit: number, cursor: string | undefined): Promise<Page<ScopeAssignmentRow>> {
  const after = CURSOR.decode(cursor)?.id ?? null;
  const rows = await listAssignments(pool, principalId?.toLowerCase(), limit + 1, after);
  return CURSOR.page(rows, limit, (last) => ({ id: last.id }));
}

/** `callerIds`: every id that names the admin making it (own ids and groups); naming one is refused (409). */
export function createScopeAssignment(pool: pg.Pool, audit: AuditContext, input: NewScopeAssignment, callerIds: string[]): Promise<ScopeAssignmentRow> {
  const principalId = input.principalId.toLowerCase();
  if (callerIds.includes(principalId)) {
    throw new DomainError(
      "scope-assignment-names-caller",
      `Principal ${principalId} is you or one of your groups: the assignment would restrict you, and a restricted principal cannot use the admin operations, not even to remove it. Let another admin create it.`,
    );
  }
  // Object ids and subscription ids are GUIDs (the schema checked): stored lower-case. The resource group is kept as
  // given; the unique index and every comparison use its arm_key, as ARM compares names.
  const assignment = {
    principalId,
    subscriptionId: input.subscriptionId.toLowerCase(),
    resourceGroup: input.resourceGroup ?? null,
    createdBy: audit.actor,
  };
  return withTransaction(pool, async (client) => {
    const row = await insertAssignment(client, assignment);
    await appendAuditEvent(client, { ...audit, action: "scope-assignment.created", targetType: "scope-assignment", targetId: row.id, after: row });
    return row;
  });
}

export function deleteScopeAssignment(pool: pg.Pool, audit: AuditContext, id: string): Promise<void> {
  return withTransaction(pool, async (client) => {
    const row = await deleteAssignment(client, id);
    if (!row) throw new DomainError("not-found", `No scope assignment with id ${id}.`);
    await appendAuditEvent(client, { ...audit, action: "scope-assignment.deleted", targetType: "scope-assignment", targetId: id, before: row });
  });
}
