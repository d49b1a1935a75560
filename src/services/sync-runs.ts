// Use cases for reading sync runs (starting one is src/services/sync.ts).
import type pg from "pg";
import { cursorCodec } from "../domain/cursor.js";
import { DomainError } from "../domain/errors.js";
import { findRun, listRuns } from "../db/sync-runs-repo.js";

const CURSOR = cursorCodec({ t: "timestamp", id: "uuid" });

export async function listSyncRunsPage(pool: pg.Pool, limit: number, cursor: string | undefined) {
  const after = CURSOR.decode(cursor);
  const rows = await listRuns(pool, limit + 1, after ? { startedAt: after.t, id: after.id } : null);
  return CURSOR.page(rows, limit, (last) => ({ t: last.startedAt, id: last.id }));
}

export async function getSyncRun(pool: pg.Pool, id: string) {
  const run = await findRun(pool, id);
  if (!run) throw new DomainError("not-found", `No sync run with id ${id}.`);
  return run;
}
