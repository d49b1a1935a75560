// `npm run db:migrate`: creates the database if needed, applies pending migrations and, when
// DATABASE_MIGRATION_URL names an owner role other than DATABASE_URL's, grants DATABASE_URL's role what the service
// needs at run time (src/db/runtime-grants.ts). A one-off command, so it reads the environment itself instead of
// going through the service's config.
import { ensureDatabase, migrate } from "./migrate.js";
import { grantRuntimeRole } from "./runtime-grants.js";

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  const migrationUrl = process.env.DATABASE_MIGRATION_URL || url;
  const { created } = await ensureDatabase(migrationUrl);
  if (created) console.log("created database");
  const { applied } = await migrate(migrationUrl);
  console.log(applied.length === 0 ? "no pending migrations" : `applied: ${applied.join(", ")}`);
  const { granted } = await grantRuntimeRole(migrationUrl, url);
  if (granted) console.log(`granted the run-time role ${granted} its privileges`);
}

main().catch((err: unknown) => {
  // One line for logs; the Postgres error umzug wraps (as `cause`) carries the useful detail.
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
  const message = err instanceof Error ? err.message : String(err);
  console.error(`db:migrate failed: ${message}${cause}`.replace(/\s+/g, " "));
  process.exit(1);
});
