// `npm run db:migrate`: creates the database if needed and applies pending migrations. A one-off command, so
// it reads DATABASE_URL itself instead of going through the service's config.
import { ensureDatabase, migrate } from "./migrate.js";

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  const { created } = await ensureDatabase(url);
  if (created) console.log("created database");
  const { applied } = await migrate(url);
  console.log(applied.length === 0 ? "no pending migrations" : `applied: ${applied.join(", ")}`);
}

main().catch((err: unknown) => {
  // One line for logs; the Postgres error umzug wraps (as `cause`) carries the useful detail.
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
  const message = err instanceof Error ? err.message : String(err);
  console.error(`db:migrate failed: ${message}${cause}`.replace(/\s+/g, " "));
  process.exit(1);
});
