// Reading the audit trail, newest first, with keyset pagination on the event id.
import type pg from "pg";
import { decodeCursor, toPage, type Page } from "../domain/cursor.js";
import { DomainError } from "../domain/errors.js";
import { listAuditEvents, type AuditEventRow } from "../db/audit-repo.js";

export interface AuditQuery {
  actor?: string;
  targetId?: string;
  action?: string;
  from?: string;
  to?: string;
}

export async function listAuditEventsPage(pool: pg.Pool, q: AuditQuery, limit: number, cursor: string | undefined): Promise<Page<AuditEventRow>> {
  const before = cursor ? decodeCursor(cursor, ["id"]).id : null;
  // Ids are bigserial; anything else would reach Postgres as a cast error.
  if (before !== null && !/^[1-9][0-9]{0,17}$/.test(before)) throw new DomainError("invalid-cursor", "The cursor is not one this service issued. Start again without `cursor`.");
  // The schema checked both are RFC 3339 with an offset.
  const filters = { ...q, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined };
  const rows = await listAuditEvents(pool, filters, limit + 1, before);
  return toPage(rows, limit, (last) => ({ id: last.id }));
}
