// The one PrismaClient and the one pg.Pool. Prisma's adapter and our raw SQL (leasing, advisory locks, which
// need a dedicated pool client) share the pool, so the process has a single connection budget.
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";
import { APPLICATION_NAME } from "./application-name.js";

export type Db = {
  prisma: PrismaClient;
  pool: pg.Pool;
  close(): Promise<void>;
};

export type CreateDbOptions = {
  max?: number;
  /** An idle pooled connection failed (e.g. server restart); the pool replaces it on the next query. */
  onPoolError?: (err: Error) => void;
};

export function createDb(databaseUrl: string, opts: CreateDbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.max ?? 10,
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
