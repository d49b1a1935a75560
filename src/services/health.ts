import type pg from "pg";
import { pendingMigrations } from "../db/migrate.js";
import { DomainError } from "../domain/errors.js";

/** Throws `not-ready` (503) when the database does not answer or migrations are pending. */
export async function readiness(pool: pg.Pool): Promise<void> {
  let pending: string[];
  try {
    pending = await pendingMigrations(pool);
  } catch {
    throw new DomainError("not-ready", "The database does not answer.");
  }
  if (pending.length) throw new DomainError("not-ready", `Migrations pending: ${pending.join(", ")}.`);
}
