// Turns unique violations into the name of the violated constraint, so repositories can map each constraint
// to its domain error (e.g. `sync_runs_one_running` → "a sync is already running").

const PG_UNIQUE_VIOLATION = "23505";

type PrismaKnownError = { code?: unknown; meta?: { driverAdapterError?: { cause?: { constraint?: unknown } } } };
type PgError = { code?: unknown; constraint?: unknown };

function asConstraint(value: unknown): string | null {
  // The pg adapter reports the constraint as `{ index: name }` (a unique index, the usual case), `{ fields }`
  // or `{ foreignKey }` depending on what Postgres said; only an index/constraint name is useful here.
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && "index" in value && typeof value.index === "string") return value.index;
  return null;
}

/**
 * The constraint (or unique index) a unique violation hit, or null when `err` is not a unique violation.
 * Handles Prisma 7 P2002 errors, whose name is under `meta.driverAdapterError.cause.constraint` (Prisma 7
 * dropped `meta.target` with driver adapters), and raw `pg` errors (SQLSTATE 23505, `.constraint`).
 */
export function uniqueViolationConstraint(err: unknown): string | null {
  if (!err || typeof err !== "object") return null;
  const prisma = err as PrismaKnownError;
  if (prisma.code === "P2002") return asConstraint(prisma.meta?.driverAdapterError?.cause?.constraint);
  const pgErr = err as PgError;
  if (pgErr.code === PG_UNIQUE_VIOLATION) return asConstraint(pgErr.constraint);
  return null;
}
