// Scope assignments in SQL. Principal and subscription ids are GUIDs stored lower-case, so the lookups compare like
// with like; the unique index `scope_assignments_unique` compares resource groups by arm_key, as ARM does.
import { DomainError } from "../domain/errors.js";
import type { Queryable } from "./bookings-repo.js";
import { uniqueViolationConstraint } from "./errors.js";

export interface ScopeAssignmentRow {
  id: string;
  principalId: string;
  subscriptionId: string;
  resourceGroup: string | null;
  createdBy: string;
  createdAt: Date;
}

const COLUMNS = `id, principal_id AS "principalId", subscription_id AS "subscriptionId", resource_group AS "resourceGroup",
  created_by AS "createdBy", created_at AS "createdAt"`;

/** The assignments naming any of `principalIds` (a principal's own ids and its groups). */
export async function assignmentsFor(db: Queryable, principalIds: string[]): Promise<ScopeAssignmentRow[]> {
  if (principalIds.length === 0) return [];
  const { rows } = await db.query<ScopeAssignmentRow>(`SELECT ${COLUMNS} FROM scope_assignments WHERE principal_id = ANY($1::text[])`, [principalIds]);
  return rows;
}

/** Whether an assignment names anyone but `principalIds` (one of a caller's unknown groups, perhaps). */
export async function assignmentsBeyond(db: Queryable, principalIds: string[]): Promise<boolean> {
  const { rows } = await db.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM scope_assignments WHERE principal_id <> ALL($1::text[])) AS any`, [principalIds]);
  return rows[0].any;
}

export async function listAssignments(db: Queryable, principalId: string | undefined, limit: number, afterId: string | null): Promise<ScopeAssignmentRow[]> {
  const { rows } = await db.query<ScopeAssignmentRow>(
    `SELECT ${COLUMNS} FROM scope_assignments WHERE ($1::text IS NULL OR principal_id = $1) AND ($2::uuid IS NULL OR id > $2::uuid)
     ORDER BY id LIMIT $3`,
    [principalId ?? null, afterId, limit],
  );
  return rows;
}

export type NewAssignment = Omit<ScopeAssignmentRow, "id" | "createdAt">;

export async function insertAssignment(db: Queryable, a: NewAssignment): Promise<ScopeAssignmentRow> {
  try {
    const { rows } = await db.query<ScopeAssignmentRow>(
      `INSERT INTO scope_assignments (id, principal_id, subscription_id, resource_group, created_by) VALUES (gen_random_uuid(), $1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [a.principalId, a.subscriptionId, a.resourceGroup, a.createdBy],
    );
    return rows[0];
  } catch (error) {
    if (uniqueViolationConstraint(error) === "scope_assignments_unique") {
      throw new DomainError("scope-assignment-exists", `Principal ${a.principalId} already has this assignment. List them with GET /v1/scope-assignments?principalId=${a.principalId}.`);
    }
    throw error;
  }
}

/** Deletes and returns the assignment; null when there is none with this id. */
export async function deleteAssignment(db: Queryable, id: string): Promise<ScopeAssignmentRow | null> {
  const { rows } = await db.query<ScopeAssignmentRow>(`DELETE FROM scope_assignments WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
  return rows[0] ?? null;
}
