// Sync-run rows and the advisory lock that makes one sync run at a time across all replicas. The lock is held
// on a dedicated connection for the whole run, so a crashed process releases it with its connection; the row
// it left `running` is then marked `abandoned` by the next run.
import type pg from "pg";
import { appendAuditEvent, type AuditContext } from "./audit-repo.js";
import { withTransaction } from "./transaction.js";

/** Arbitrary constant that identifies "the sync" among advisory locks ("MPSY"). */
const SYNC_LOCK_KEY = 0x4d505359;

export interface SyncRunRow {
  id: string;
  trigger: string;
  status: string;
  /** A full sweep: every VM's instance view read, fresh or not. */
  full: boolean;
  startedAt: Date;
  finishedAt: Date | null;
  vmsSeen: number;
  windowsNew: number;
  windowsChanged: number;
  windowsCleared: number;
  vmsGone: number;
  armRequests: number;
  instanceViewsRead: number;
  instanceViewsSkipped: number;
  errors: { subscriptionId: string; code: string | null; message: string }[];
}

const COLUMNS = `id, trigger, status, "full", started_at AS "startedAt", finished_at AS "finishedAt", vms_seen AS "vmsSeen",
  windows_new AS "windowsNew", windows_changed AS "windowsChanged", windows_cleared AS "windowsCleared",
  vms_gone AS "vmsGone", arm_requests AS "armRequests", instance_views_read AS "instanceViewsRead",
  instance_views_skipped AS "instanceViewsSkipped", errors`;

export interface SyncLock {
  release(): Promise<void>;
}

/** Takes the sync lock on its own connection, or returns null when another session holds it. */
export async function tryTakeSyncLock(pool: pg.Pool): Promise<SyncLock | null> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [SYNC_LOCK_KEY]);
    if (!rows[0].ok) {
      client.release();
      return null;
    }
  } catch (error) {
    client.release(true);
    throw error;
  }
  return {
    async release() {
      try {
        await client.query("SELECT pg_advisory_unlock($1)", [SYNC_LOCK_KEY]);
        client.release();
      } catch {
        client.release(true); // a broken connection drops the lock with it
      }
    },
  };
}

/**
 * Call only while holding the lock: a `running` row without a lock holder was left by a dead process. The run
 * and its `sync.started` audit event are one transaction; jobs are recorded as `system:<trigger>`.
 */
export async function startRun(pool: pg.Pool, trigger: string, full: boolean, audit?: AuditContext): Promise<SyncRunRow> {
  return withTransaction(pool, async (client) => {
    await client.query(`UPDATE sync_runs SET status = 'abandoned', finished_at = now() WHERE status = 'running'`);
    const { rows } = await client.query<SyncRunRow>(
      `INSERT INTO sync_runs (id, trigger, status, "full", started_at) VALUES (gen_random_uuid(), $1, 'running', $2, now()) RETURNING ${COLUMNS}`,
      [trigger, full],
    );
    const who = audit ?? { actor: `system:${trigger}`, requestId: null };
    await appendAuditEvent(client, { ...who, action: "sync.started", targetType: "sync-run", targetId: rows[0].id, after: { trigger, full } });
    return rows[0];
  });
}

export type SyncRunResult = Pick<
  SyncRunRow,
  "status" | "vmsSeen" | "windowsNew" | "windowsChanged" | "windowsCleared" | "vmsGone" | "armRequests" | "instanceViewsRead" | "instanceViewsSkipped" | "errors"
>;

export async function finishRun(q: Pick<pg.Pool, "query">, id: string, r: SyncRunResult): Promise<SyncRunRow> {
  const { rows } = await q.query<SyncRunRow>(
    `UPDATE sync_runs SET status = $2, finished_at = now(), vms_seen = $3, windows_new = $4, windows_changed = $5,
       windows_cleared = $6, vms_gone = $7, arm_requests = $8, instance_views_read = $9, instance_views_skipped = $10, errors = $11::jsonb
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, r.status, r.vmsSeen, r.windowsNew, r.windowsChanged, r.windowsCleared, r.vmsGone, r.armRequests, r.instanceViewsRead, r.instanceViewsSkipped, JSON.stringify(r.errors)],
  );
  return rows[0];
}

export async function findRunningRun(pool: pg.Pool): Promise<SyncRunRow | null> {
  const { rows } = await pool.query<SyncRunRow>(`SELECT ${COLUMNS} FROM sync_runs WHERE status = 'running' LIMIT 1`);
  return rows[0] ?? null;
}

export async function findRun(pool: pg.Pool, id: string): Promise<SyncRunRow | null> {
  const { rows } = await pool.query<SyncRunRow>(`SELECT ${COLUMNS} FROM sync_runs WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** Newest first; `after` is the (startedAt, id) of the last row of the previous page. */
export async function listRuns(pool: pg.Pool, limit: number, after: { startedAt: Date; id: string } | null): Promise<SyncRunRow[]> {
  const { rows } = after
    ? await pool.query<SyncRunRow>(
        `SELECT ${COLUMNS} FROM sync_runs WHERE (started_at, id) < ($2::timestamptz, $3::uuid) ORDER BY started_at DESC, id DESC LIMIT $1`,
        [limit, after.startedAt, after.id],
      )
    : await pool.query<SyncRunRow>(`SELECT ${COLUMNS} FROM sync_runs ORDER BY started_at DESC, id DESC LIMIT $1`, [limit]);
  return rows;
}
