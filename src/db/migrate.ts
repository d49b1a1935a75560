// Applies prisma/migrations with umzug, bookkeeping in Prisma's own `_prisma_migrations` table so that this
// runner and `prisma migrate deploy` agree on what is applied (see shared notes, "Migrations").
import { randomUUID } from "node:crypto";
import pg from "pg";
import { Umzug, type UmzugStorage } from "umzug";
import { APPLICATION_NAME } from "./application-name.js";
import { readMigrationFiles, type MigrationFile } from "./migration-files.js";

export { ensureDatabase } from "./ensure-database.js";

/** The advisory lock key `prisma migrate` itself takes, so the two tools never migrate at the same time. */
export const MIGRATION_LOCK_KEY = 72707369;

type LogFn = (message: Record<string, unknown>) => void;
export type MigrateLogger = Record<"info" | "warn" | "error" | "debug", LogFn>;
export type MigrateOptions = { logger?: MigrateLogger; migrationsDir?: string };

type Ctx = { client: pg.Client; files: Map<string, MigrationFile> };

// Prisma's DDL for its bookkeeping table (same columns, types and defaults).
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

type Row = { migration_name: string; checksum: string; finished_at: Date | null };

async function appliedRows(db: pg.Client | pg.Pool): Promise<Row[] | null> {
  const { rows } = await db.query<{ t: string | null }>(`SELECT to_regclass('_prisma_migrations')::text AS t`);
  if (rows[0].t === null) return null;
  const res = await db.query<Row>(
    `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL
     ORDER BY started_at`,
  );
  return res.rows;
}

/** Refuses what `prisma migrate deploy` refuses: a failed migration, or an applied file that was edited. */
function checkHistory(rows: Row[], files: MigrationFile[]): void {
  const failed = rows.filter((r) => r.finished_at === null).map((r) => r.migration_name);
  if (failed.length > 0) {
    throw new Error(
      `migration(s) ${failed.join(", ")} failed earlier (row in _prisma_migrations with finished_at and ` +
        `rolled_back_at null): fix the database, then mark it rolled back or applied, before migrating`,
    );
  }
  const byName = new Map(files.map((f) => [f.name, f]));
  const edited = rows.filter((r) => byName.has(r.migration_name) && byName.get(r.migration_name)!.checksum !== r.checksum);
  if (edited.length > 0) {
    const names = edited.map((r) => r.migration_name).join(", ");
    throw new Error(`migration(s) ${names} were modified after being applied (checksum differs): restore the file(s)`);
  }
}

// Each migration runs in one transaction together with its bookkeeping row: umzug calls `up` and then, only
// if it succeeded, `logMigration` (umzug.js, `up()`), so `up` opens the transaction and `logMigration` commits
// it. A failing migration therefore leaves neither schema changes nor a row behind, and can simply be rerun.
// (Consequence: statements that cannot run in a transaction, e.g. CREATE INDEX CONCURRENTLY, are not allowed.)
const storage: UmzugStorage<Ctx> = {
  async executed({ context }) {
    const rows = (await appliedRows(context.client)) ?? [];
    return rows.map((r) => r.migration_name);
  },
  async logMigration({ name, context }) {
    const file = context.files.get(name)!;
    // started_at = now() is the transaction's start, i.e. when the migration began; finished_at is the clock.
    await context.client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
      [randomUUID(), file.checksum, name],
    );
    await context.client.query("COMMIT");
  },
  async unlogMigration() {
    throw new Error("migrations are forward-only");
  },
};

export async function migrate(databaseUrl: string, opts: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const files = await readMigrationFiles(opts.migrationsDir);
  const client = new pg.Client({ connectionString: databaseUrl, application_name: `${APPLICATION_NAME}:migrate` });
  await client.connect();
  try {
    // Session-level lock on this one connection: concurrent starts (several replicas, tests) queue here, and
    // the server drops the lock by itself if this process dies.
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(CREATE_TABLE);
    checkHistory((await appliedRows(client)) ?? [], files);

    const umzug = new Umzug<Ctx>({
      context: { client, files: new Map(files.map((f) => [f.name, f])) },
      storage,
      logger: opts.logger,
      migrations: files.map((f) => ({
        name: f.name,
        path: f.path,
        up: async () => {
          await client.query("BEGIN");
          await client.query(f.sql);
        },
      })),
    });
    try {
      const applied = await umzug.up();
      return { applied: applied.map((m) => m.name) };
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {}); // a no-op warning when no transaction is open
      // umzug wraps the failure in a MigrationError; the Postgres error (code, position) is its cause.
      throw err;
    }
  } finally {
    // Closing the connection also releases the advisory lock.
    await client.end().catch(() => {});
  }
}

/** Migrations on disk not yet applied to the database (for readiness checks). */
export async function pendingMigrations(
  db: string | pg.Pool,
  opts: { migrationsDir?: string } = {},
): Promise<string[]> {
  const files = await readMigrationFiles(opts.migrationsDir);
  const client = typeof db === "string" ? new pg.Client({ connectionString: db, application_name: APPLICATION_NAME }) : null;
  await client?.connect();
  try {
    const rows = (await appliedRows(client ?? (db as pg.Pool))) ?? [];
    // A failed migration (finished_at null) is not applied: the database is not ready.
    const done = new Set(rows.filter((r) => r.finished_at !== null).map((r) => r.migration_name));
    return files.filter((f) => !done.has(f.name)).map((f) => f.name);
  } finally {
    await client?.end();
  }
}
