// Use cases for reading sync runs (starting one is src/services/sync.ts).
import type pg from "pg";
import { decodeCursor, toPage } from "../domain/cursor.js";
import { DomainError } from "../domain/errors.js";
import { findRun, listRuns } from "../db/sync-runs-repo.js";

export async function listSyncRunsPage(pool: pg.Pool, limit: number, cursor: string | undefined) {
  const after = cursor ? decodeCursor(cursor, ["t", "id"]) : null;
  if (after && (Number.isNaN(Date.parse(after.t)) || !/^[0-9a-f-]{36}$/i.test(after.id))) {
    throw new DomainError("invalid-cursor", "The cursor is not one this service issued. Start again without `cursor`.");
  }
  const rows = await listRuns(pool, limit + 1, after ? { startedAt: after.t, id: after.id } : null);
  return toPage(rows, limit, (last) => ({ t: last.startedAt.toISOString(), id: last.id }));
}

export async function getSyncRun(pool: pg.Pool, id: string) {
  const run = await findRun(pool, id);
  if (!run) throw new DomainError("not-found", `No sync run with id ${id}.`);
  return run;
}
