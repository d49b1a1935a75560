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

// PostgreSQL SQLSTATEs that mean "the database cannot serve us right now; the same request later may work":
// class 08 (connection exception), 53300 too_many_connections, 53400 configuration_limit_exceeded,
// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now.
const PG_UNAVAILABLE = /^(08...|53300|53400|57P0[123])$/;
const NET_UNAVAILABLE = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);
// What the Prisma pg adapter reports for the same conditions (meta.driverAdapterError.cause.kind).
const PRISMA_UNAVAILABLE = new Set(["DatabaseNotReachable", "TooManyConnections", "ConnectionClosed", "SocketTimeout"]);
// pg-pool and pg raise plain Errors without a code when the pool timeout passes or the socket drops.
const PG_MESSAGES = /^(timeout exceeded when trying to connect|Connection terminated due to connection timeout|Connection terminated unexpectedly)$/;

type MaybeDbError = {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
};

/**
 * Whether `err` (or an error it wraps) says the database is unreachable, refusing connections or too busy — as
 * opposed to a bug or a bad statement. The HTTP layer answers these with 503 and Retry-After.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as MaybeDbError | undefined, depth = 0; e && typeof e === "object" && depth < 5; e = e.cause as MaybeDbError | undefined, depth++) {
    const adapter = e.meta?.driverAdapterError?.cause;
    if (typeof adapter?.kind === "string" && PRISMA_UNAVAILABLE.has(adapter.kind)) return true;
    if (typeof adapter?.originalCode === "string" && PG_UNAVAILABLE.test(adapter.originalCode)) return true;
    if (typeof e.code === "string" && (PG_UNAVAILABLE.test(e.code) || NET_UNAVAILABLE.has(e.code))) return true;
    if (typeof e.message === "string" && PG_MESSAGES.test(e.message)) return true;
  }
  return false;
}
