// vitest globalSetup: the suite needs a PostgreSQL server. TEST_DATABASE_URL if set; else the one at
// 127.0.0.1:TEST_POSTGRES_PORT (default 5432) if it lets us in; else an embedded one for this run only, stopped
// and deleted afterwards — so `npm ci && npm test` is the whole set-up on a machine without PostgreSQL.
// Test files read the result from TEST_DATABASE_URL (test/helpers/database.ts); workers inherit it.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../../src/bootstrap/embedded-postgres.js";
import { freePort } from "../helpers/service-process.js";

async function letsUsIn(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.TEST_DATABASE_URL) return undefined;
  const local = `postgresql://postgres@127.0.0.1:${process.env.TEST_POSTGRES_PORT ?? "5432"}/postgres`;
  if (await letsUsIn(local)) {
    process.env.TEST_DATABASE_URL = local;
    return undefined;
  }
  const log = (msg: string) => console.log(`[test database] ${msg}`);
  log(`no PostgreSQL at ${new URL(local).host}: starting an embedded one for this run`);
  const server = await startEmbeddedPostgres({
    port: await freePort(),
    dataDir: mkdtempSync(path.join(tmpdir(), "mp-test-postgres-")),
    ephemeral: true,
    log,
  });
  process.env.TEST_DATABASE_URL = server.urlFor("postgres");
  return async () => {
    await server.stop();
    log("embedded PostgreSQL stopped and its data removed");
  };
}
