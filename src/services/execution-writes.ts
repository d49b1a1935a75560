// The dispatcher's writes that come from many executions at once — instance views read around each operation and
// the ends of attempts — group-committed (group-commit.ts): one transaction for what is asked meanwhile, each
// execution still answered on its own (a lost lease is that booking's LeaseLostError).
import type pg from "pg";
import { recordInstanceViews, type InstanceViewReading } from "../db/observations-repo.js";
import { persistOutcomes, type OutcomeWrite } from "./execution-outcome.js";
import { groupCommit, type Settled } from "./group-commit.js";

export interface ExecutionWrites {
  recordInstanceView(reading: InstanceViewReading): Promise<void>;
  persistOutcome(write: OutcomeWrite): Promise<void>;
}

/** Up to this many items per transaction. */
const MAX_BATCH = 200;

export function executionWrites(pool: pg.Pool, owner: string): ExecutionWrites {
  const done = (n: number): Settled<void>[] => Array.from({ length: n }, () => ({ ok: true, value: undefined }));
  return {
    recordInstanceView: groupCommit(async (readings: InstanceViewReading[]) => (await recordInstanceViews(pool, readings), done(readings.length)), {
      maxBatch: MAX_BATCH, concurrency: 2, key: (r) => r.virtualMachineId,
    }),
    // One at a time: outcomes wake waiting bookings, and two such transactions could lock those in opposite orders.
    persistOutcome: groupCommit((writes: OutcomeWrite[]) => persistOutcomes(pool, owner, writes), { maxBatch: MAX_BATCH, concurrency: 1, key: (w) => w.bookingId }),
  };
}
