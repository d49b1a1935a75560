// The one PrismaClient and the one pg.Pool. Prisma's adapter and our raw SQL (leasing, advisory locks, which
// need a dedicated pool client) share the pool, so the process has a single connection budget.
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";
import { APPLICATION_NAME } from "./application-name.js";

/** DATABASE_POOL_TIMEOUT's default (src/config/config.ts). */
export const DEFAULT_POOL_TIMEOUT_MS = 5_000;

export type Db = {
  prisma: PrismaClient;
  pool: pg.Pool;
  close(): Promise<void>;
};

export type CreateDbOptions = {
  max?: number;
  /**
   * How long a query waits for a pooled connection (all busy) or for a new one to open before it fails
   * (DATABASE_POOL_TIMEOUT); the API then answers 503. Without it a saturated pool queues requests forever.
   */
  connectionTimeoutMs?: number;
  /** An idle pooled connection failed (e.g. server restart); the pool replaces it on the next query. */
  onPoolError?: (err: Error) => void;
};

export function createDb(databaseUrl: string, opts: CreateDbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? DEFAULT_POOL_TIMEOUT_MS,
    application_name: APPLICATION_NAME,
  });
  // An idle client losing its connection emits 'error' on the pool; with no listener that crashes the process.
  pool.on("error", (err) => opts.onPoolError?.(err));
  // Passing the Pool makes the adapter use it as is; it does not end a pool it did not create.
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closing: Promise<void> | undefined;
  return {
    prisma,
    pool,
    close() {
      closing ??= prisma.$disconnect().then(() => pool.end());
      return closing;
    },
  };
}
