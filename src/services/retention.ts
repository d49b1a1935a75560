// Prunes what is kept for a time only (domain/retention.ts), in bounded statements: each deletes at most BATCH
// rows and commits on its own, so no lock is held long and the other work goes on between them.
import type pg from "pg";
import { numberEvents } from "../db/event-stream-repo.js";
import { deleteFinalDeliveries, deleteOldBookingBatches, deleteOldEvents, deleteOldIdempotencyKeys } from "../db/retention-repo.js";
import { retentionCutoffs, type RetentionSettings } from "../domain/retention.js";

export const RETENTION_BATCH = 5_000;

export interface Pruned {
  webhookDeliveries: number;
  outboxEvents: number;
  idempotencyKeys: number;
  bookingBatches: number;
}

async function drain(step: () => Promise<number>, batch: number): Promise<number> {
  let total = 0;
  let n: number;
  do {
    n = await step();
    total += n;
  } while (n === batch);
  return total;
}

/** Deletes what is past its retention at `now`; returns how many rows of each. */
export async function pruneExpired(pool: pg.Pool, settings: RetentionSettings, now: Date, batch = RETENTION_BATCH): Promise<Pruned> {
  const cutoff = retentionCutoffs(now, settings);
  // Only numbered events are pruned: number what no stream has numbered yet (no stream was open), so that a
  // stream resuming from before them learns of the gap (410) instead of silently missing them.
  await drain(() => numberEvents(pool, batch), batch);
  const webhookDeliveries = await drain(() => deleteFinalDeliveries(pool, cutoff.outbox, batch), batch);
  const outboxEvents = await drain(() => deleteOldEvents(pool, cutoff.outbox, batch), batch);
  const idempotencyKeys = await drain(() => deleteOldIdempotencyKeys(pool, cutoff.idempotencyKeys, batch), batch);
  const bookingBatches = await drain(() => deleteOldBookingBatches(pool, cutoff.idempotencyKeys, batch), batch);
  return { webhookDeliveries, outboxEvents, idempotencyKeys, bookingBatches };
}
