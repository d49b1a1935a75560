// The audit trail. `appendAuditEvent` is called inside the transaction of the change it records (bookings,
// sync runs, scope assignments here; execution outcomes in the scheduler), so a change and its record commit
// or roll back together. Nothing here updates or deletes; a trigger refuses it anyway (migration SQL).
import type { Queryable } from "./bookings-repo.js";

/** Who made a change, and the request that made it (null for jobs). */
export interface AuditContext {
  actor: string;
  requestId: string | null;
}

export interface AuditEventInput extends AuditContext {
  action: string;
  targetType: string;
  targetId: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditEventRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

const COLUMNS = `id::text AS id, at, actor, action, target_type AS "targetType", target_id AS "targetId", before, after, request_id AS "requestId"`;

// JSON.stringify turns Dates into ISO strings; `undefined` (nothing before a create) is stored as SQL null.
const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

export async function appendAuditEvent(db: Queryable, e: AuditEventInput): Promise<void> {
  await db.query(
    `INSERT INTO audit_events (actor, action, target_type, target_id, before, after, request_id) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)`,
    [e.actor, e.action, e.targetType, e.targetId, json(e.before), json(e.after), e.requestId],
  );
}

/** Several events in one statement (the booking writer records a batch of changes this way). */
export async function appendAuditEvents(db: Queryable, events: AuditEventInput[]): Promise<void> {
  if (events.length === 0) return;
  const records = events.map((e, ord) => ({
    ord, actor: e.actor, action: e.action, target_type: e.targetType, target_id: e.targetId, before: e.before ?? null, after: e.after ?? null, request_id: e.requestId,
  }));
  await db.query(
    `INSERT INTO audit_events (actor, action, target_type, target_id, before, after, request_id)
     SELECT r.actor, r.action, r.target_type, r.target_id, r.before, r.after, r.request_id
     FROM jsonb_to_recordset($1::jsonb) AS r(ord int, actor text, action text, target_type text, target_id text, before jsonb, after jsonb, request_id text)
     ORDER BY r.ord`,
    [JSON.stringify(records)],
  );
}

export interface AuditFilters {
  actor?: string;
  targetId?: string;
  action?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

/** Newest first; `beforeId` is the id of the last row of the previous page. */
export async function listAuditEvents(db: Queryable, f: AuditFilters, limit: number, beforeId: string | null): Promise<AuditEventRow[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (f.actor) where.push(`actor = ${param(f.actor)}`);
  if (f.targetId) where.push(`target_id = ${param(f.targetId)}`);
  if (f.action) where.push(`action = ${param(f.action)}`);
  if (f.from) where.push(`at >= ${param(f.from)}`);
  if (f.to) where.push(`at < ${param(f.to)}`);
  if (beforeId) where.push(`id < ${param(beforeId)}::bigint`);
  const { rows } = await db.query<AuditEventRow>(
    `SELECT ${COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ${param(limit)}`,
    params,
  );
  return rows;
}
