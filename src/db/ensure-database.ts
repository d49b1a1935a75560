// Creates the database named in a URL when it does not exist yet (first deploy, test databases).
import pg from "pg";
import { APPLICATION_NAME } from "./application-name.js";

const INVALID_CATALOG_NAME = "3D000"; // connecting to a database that does not exist
const DUPLICATE_DATABASE = "42P04";
const UNIQUE_VIOLATION = "23505"; // a concurrent CREATE DATABASE can also lose on pg_database's unique index

function codeOf(err: unknown): string | undefined {
  return (err as { code?: string } | null)?.code;
}

export async function ensureDatabase(databaseUrl: string): Promise<{ created: boolean }> {
  // Try the database itself first: where it exists we need no access to the maintenance database at all.
  const probe = new pg.Client({ connectionString: databaseUrl, application_name: APPLICATION_NAME });
  try {
    await probe.connect();
    return { created: false };
  } catch (err) {
    if (codeOf(err) !== INVALID_CATALOG_NAME) throw err;
  } finally {
    await probe.end().catch(() => {});
  }

  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: url.toString(), application_name: APPLICATION_NAME });
  await admin.connect();
  try {
    // Identifiers cannot be bind parameters; escapeIdentifier quotes and doubles embedded quotes.
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    return { created: true };
  } catch (err) {
    const code = codeOf(err);
    if (code === DUPLICATE_DATABASE || code === UNIQUE_VIOLATION) return { created: false };
    throw err;
  } finally {
    await admin.end().catch(() => {});
  }
}
