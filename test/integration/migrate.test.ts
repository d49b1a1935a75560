import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { defaultMigrationsDir, readMigrationFiles } from "../../src/db/migration-files.js";
import { ensureDatabase, migrate, pendingMigrations } from "../../src/db/migrate.js";
import { dropTestDatabase, uniqueTestDatabaseUrl } from "../helpers/database.js";

const made: string[] = [];
afterAll(async () => {
  for (const name of made) await dropTestDatabase(name);
});

/** A fresh, empty (unmigrated) database. */
async function freshDatabase(): Promise<string> {
  const { url, name } = uniqueTestDatabaseUrl();
  made.push(name);
  expect(await ensureDatabase(url)).toEqual({ created: true });
  return url;
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const fileNames = async () => (await readMigrationFiles()).map((f) => f.name);

describe("migrate", () => {
  it("applies every migration to a fresh database, then nothing on a second run", async () => {
    const url = await freshDatabase();
    const names = await fileNames();
    expect(names.length).toBeGreaterThan(0);
    expect(await migrate(url)).toEqual({ applied: names });
    expect(await migrate(url)).toEqual({ applied: [] });
  });

  it("records each migration in _prisma_migrations as Prisma does", async () => {
    const url = await freshDatabase();
    await migrate(url);
    const rows = await query<Record<string, any>>(url, `SELECT * FROM _prisma_migrations ORDER BY migration_name`);
    const files = await readMigrationFiles();
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, row] of rows.entries()) {
      const bytes = await readFile(path.join(defaultMigrationsDir(), row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(bytes).digest("hex"));
      expect(row.checksum).toBe(files[i].checksum);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("lets two concurrent runs on a fresh database both succeed, applying each migration once", async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([migrate(url), migrate(url)]);
    expect([...a.applied, ...b.applied].sort()).toEqual(await fileNames());
    const counts = await query<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM _prisma_migrations GROUP BY migration_name`,
    );
    expect(counts.every((c) => c.n === 1)).toBe(true);
  });

  it("refuses to run when an applied migration's file was changed", async () => {
    const url = await freshDatabase();
    await migrate(url);
    await query(url, `UPDATE _prisma_migrations SET checksum = repeat('0', 64)`);
    await expect(migrate(url)).rejects.toThrow(/modified after being applied/);
  });

  it("refuses to run when a failed migration is recorded", async () => {
    const url = await freshDatabase();
    await migrate(url);
    await query(url, `UPDATE _prisma_migrations SET finished_at = NULL`);
    await expect(migrate(url)).rejects.toThrow(/failed earlier/);
    expect(await pendingMigrations(url)).toEqual(await fileNames());
  });

  it("rolls a failing migration back completely, leaving no row", async () => {
    const url = await freshDatabase();
    const dir = await mkdtemp(path.join(tmpdir(), "mp-migrations-"));
    try {
      await cp(defaultMigrationsDir(), dir, { recursive: true });
      await mkdir(path.join(dir, "29991231000000_broken"));
      await writeFile(
        path.join(dir, "29991231000000_broken", "migration.sql"),
        `CREATE TABLE half_done (id int);\nSELECT no_such_function();\n`,
      );
      await expect(migrate(url, { migrationsDir: dir })).rejects.toThrow(/29991231000000_broken/);
      expect(await query(url, `SELECT to_regclass('half_done') AS t`)).toEqual([{ t: null }]);
      expect(await pendingMigrations(url, { migrationsDir: dir })).toEqual(["29991231000000_broken"]);
      // The earlier migrations stay applied; the repository's own set is complete.
      expect(await pendingMigrations(url)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("pendingMigrations lists everything before migrating and nothing after, by URL or pool", async () => {
    const url = await freshDatabase();
    const names = await fileNames();
    expect(await pendingMigrations(url)).toEqual(names);
    await migrate(url);
    expect(await pendingMigrations(url)).toEqual([]);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      expect(await pendingMigrations(pool)).toEqual([]);
    } finally {
      await pool.end();
    }
  });
});

describe("ensureDatabase", () => {
  it("creates a missing database once, tolerating concurrent callers", async () => {
    const { url, name } = uniqueTestDatabaseUrl();
    made.push(name);
    const results = await Promise.all([ensureDatabase(url), ensureDatabase(url), ensureDatabase(url)]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await ensureDatabase(url)).toEqual({ created: false });
  });

  it("quotes the database name", async () => {
    const { url, name } = uniqueTestDatabaseUrl();
    const odd = `${name}_"; x`;
    made.push(odd);
    const u = new URL(url);
    u.pathname = `/${encodeURIComponent(odd)}`;
    expect(await ensureDatabase(u.toString())).toEqual({ created: true });
    const rows = await query<{ n: number }>(url.replace(name, "postgres"), `SELECT count(*)::int AS n FROM pg_database WHERE datname = $1`, [odd]);
    expect(rows).toEqual([{ n: 1 }]);
  });
});
