// Each test file owns a fresh, migrated database and drops it afterwards (house style 13): tests never see
// each other's rows, and files can run in parallel.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type Db } from "../../src/db/client.js";
import { ensureDatabase, migrate } from "../../src/db/migrate.js";

/**
 * The server for this run. Under vitest, the globalSetup (test/setup/test-database.ts) has chosen or started it;
 * benchmarks (bench/) use TEST_DATABASE_URL or the local server.
 */
export const BASE_TEST_DATABASE_URL = testDatabaseUrl();

function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return url;
  if (process.env.VITEST) throw new Error("TEST_DATABASE_URL is unset although vitest's globalSetup sets it");
  return "postgresql://postgres@127.0.0.1:5432/postgres";
}

export type TestDatabase = { url: string; db: Db; drop(): Promise<void> };

/** A URL for a not-yet-created database on the test server, named `mp_test_<pid>_<random>`. */
export function uniqueTestDatabaseUrl(): { url: string; name: string } {
  const name = `mp_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const url = new URL(BASE_TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

/** Drops a database made by uniqueTestDatabaseUrl; FORCE ends connections a failed test may have left. */
export async function dropTestDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: BASE_TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export async function createTestDatabase(opts: { max?: number } = {}): Promise<TestDatabase> {
  const { url, name } = uniqueTestDatabaseUrl();
  await ensureDatabase(url);
  try {
    await migrate(url);
  } catch (err) {
    await dropTestDatabase(name);
    throw err;
  }
  const db = createDb(url, { max: opts.max ?? 5 });
  return {
    url,
    db,
    async drop() {
      await db.close();
      await dropTestDatabase(name);
    },
  };
}
