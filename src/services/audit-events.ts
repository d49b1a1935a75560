// Reading the audit trail, newest first, with keyset pagination on the event id.
import type pg from "pg";
import { cursorCodec, type Page } from "../domain/cursor.js";
import { listAuditEvents, type AuditEventRow } from "../db/audit-repo.js";

export interface AuditQuery {
  actor?: string;
  targetId?: string;
  action?: string;
  from?: string;
  to?: string;
}

const CURSOR = cursorCodec({ id: "bigint" });

export async function listAuditEventsPage(pool: pg.Pool, q: AuditQuery, limit: number, cursor: string | undefined): Promise<Page<AuditEventRow>> {
  const before = CURSOR.decode(cursor)?.id ?? null;
  // The schema checked both are RFC 3339 with an offset that Date reads (src/http/validation.ts).
  const filters = { ...q, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined };
  const rows = await listAuditEvents(pool, filters, limit + 1, before);
  return CURSOR.page(rows, limit, (last) => ({ id: last.id }));
}
