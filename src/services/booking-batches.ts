// Bulk booking (POST /v1/booking-batches): many creates in one request, each item decided as POST /v1/bookings
// decides it (src/domain/booking-requests.ts), every VM's facts read in one statement, the bookings written in one
// transaction through the one writer (src/services/booking-transitions.ts). Non-atomic: each item that passes is
// created; atomic: all or none. Idempotency-Key works as for single creates: the same key and batch replay the
// first answer (stored in booking_batches), the same key with another batch is 422.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { inScope, type Scope } from "../domain/access.js";
import {
  activeBookingExists, checkBatchItems, isAccepted, parseBatchItems, requestIdentity, type BatchItem, type BookingRequestInput,
} from "../domain/booking-requests.js";
import { DomainError, ItemError, type ErrorCode } from "../domain/errors.js";
import { appendAuditEvent } from "../db/audit-repo.js";
import { findBookingBatch, insertBookingBatch, type StoredBatchItem } from "../db/booking-batches-repo.js";
import { findActiveBookings, findBookings, findBookingTargets, type BookingRecord, type IdempotencyRecord } from "../db/bookings-repo.js";
import { withTransaction } from "../db/transaction.js";
import { blackoutsForBooking } from "./calendars.js";
import type { Caller } from "./access.js";
import { createBookingRecords } from "./booking-transitions.js";
import { auditOf, requestHash, type BookingDeps } from "./bookings.js";

export interface BookingBatchInput {
  items: BookingRequestInput[];
  atomic?: boolean;
}

/** An item's result: the booking created, or why not (the problem POST /v1/bookings would answer). */
export type BatchResult = { index: number; booking: BookingRecord } | ItemError;

export interface BookingBatchAnswer {
  id: string;
  atomic: boolean;
  results: BatchResult[];
  /** Answered before, to a request with the same Idempotency-Key. */
  replayed: boolean;
}

export async function createBookingBatch(deps: BookingDeps, caller: Caller, input: BookingBatchInput, idempotencyKey?: string): Promise<BookingBatchAnswer> {
  const atomic = input.atomic ?? false;
  const parsed = parseBatchItems(input.items);
  // Each item as understood (the same instant with another offset is the same request), or as sent if it does not parse.
  const identity = [atomic, parsed.map((item) => (isAccepted(item) ? requestIdentity(item.request) : input.items[item.index]))];
  const hash = requestHash(identity);
  const idempotency = idempotencyKey ? { principalId: caller.principalId, key: idempotencyKey, requestHash: hash } : null;
  const earlier = idempotency && (await replayBatch(deps.pool, idempotency, caller.scope));
  if (earlier) return earlier;

  try {
    return await writeBatch(deps, caller, { key: idempotencyKey ?? null, hash, atomic }, parsed);
  } catch (error) {
    // A concurrent request with the same key got there first (its bookings hold the VMs, or its row exists):
    // answer as it did.
    const twin = idempotency && (await replayBatch(deps.pool, idempotency, caller.scope));
    if (twin) return twin;
    throw error;
  }
}

function refused(failures: ItemError[], total: number): DomainError {
  const first = failures[0];
  return new DomainError(
    "booking-batch-refused",
    `${failures.length} of ${total} items cannot be booked (the first: item ${first.index}, ${first.error.code}); an atomic batch creates all or none, so nothing was created. ` +
      "`results` says why for each; fix or leave out those items and send the batch again.",
    { results: failures, created: 0, failed: failures.length },
  );
}

/**
 * Checks each item as POST /v1/bookings would, creates the accepted items' bookings and records the batch, in one
 * transaction: the start-time rules see the blackouts as committed (blackoutsForBooking, once per batch).
 */
async function writeBatch(deps: BookingDeps, caller: Caller, batch: { key: string | null; hash: string; atomic: boolean }, parsed: BatchItem[]): Promise<BookingBatchAnswer> {
  const { atomic } = batch;
  const id = randomUUID();
  const results = await withTransaction(deps.pool, async (client) => {
    const blackouts = await blackoutsForBooking(client);
    const vmIds = [...new Set(parsed.filter(isAccepted).map((item) => item.request.virtualMachineId))];
    const items = checkBatchItems(parsed, await findBookingTargets(client, vmIds), caller.scope, deps.clock(), deps.policy, blackouts);
    const failures = items.flatMap((item) => (isAccepted(item) ? [] : [new ItemError(item.index, item.error)]));
    if (atomic && failures.length > 0) throw refused(failures, items.length);
    const accepted = items.filter(isAccepted);
    const rows = await createBookingRecords(client, accepted.map((item) => ({ ...item.request, createdBy: caller.actor })), { ...auditOf(caller), action: "booking.created" });
    const created = new Map(accepted.flatMap((item, i) => (rows[i] ? [[item.index, rows[i]] as const] : [])));
    // Lost to a concurrent create (the partial unique index decided), or booking a VM an earlier item booked: each
    // names the VM's active booking as it is now.
    const conflicts = items.filter((item) => (isAccepted(item) ? !created.has(item.index) : item.sameVmAs !== undefined));
    const active = await findActiveBookings(client, conflicts.map((item) => item.request!.virtualMachineId));
    const conflictOf = (item: BatchItem) => new ItemError(item.index, activeBookingExists(item.request!.virtualMachineId, active.get(item.request!.virtualMachineId) ?? null));
    if (atomic && conflicts.length > 0) throw refused(conflicts.map(conflictOf), items.length);
    const results = items.map((item): BatchResult => {
      const row = created.get(item.index);
      if (row) return { index: item.index, booking: { ...row, attempts: [] } };
      return isAccepted(item) || item.sameVmAs !== undefined ? conflictOf(item) : new ItemError(item.index, item.error);
    });
    await insertBookingBatch(client, {
      id, principalId: caller.principalId, idempotencyKey: batch.key, requestHash: batch.hash, atomic, results: results.map(stored), createdBy: caller.actor,
    });
    await appendAuditEvent(client, {
      ...auditOf(caller), action: "booking-batch.created", targetType: "booking-batch", targetId: id,
      after: { atomic, items: items.length, created: created.size, failed: items.length - created.size, idempotencyKey: batch.key },
    });
    return results;
  });
  return { id, atomic, results, replayed: false };
}

function stored(result: BatchResult): StoredBatchItem {
  if (result instanceof ItemError) return { index: result.index, code: result.error.code, detail: result.error.message, extensions: result.error.extensions };
  return { index: result.index, bookingId: result.booking.id };
}

/** The same key and the same batch → the first answer, its bookings as they are now; another batch → 422. */
async function replayBatch(pool: pg.Pool, idempotency: IdempotencyRecord, scope: Scope): Promise<BookingBatchAnswer | null> {
  const batch = await findBookingBatch(pool, idempotency.principalId, idempotency.key);
  if (!batch) return null;
  if (batch.requestHash !== idempotency.requestHash) {
    throw new DomainError("idempotency-key-reused", `Idempotency-Key "${idempotency.key}" was already used with a different request (booking batch ${batch.id}). Use a new key for a new request.`);
  }
  const bookings = new Map((await findBookings(pool, batch.results.flatMap((r) => ("bookingId" in r ? [r.bookingId] : [])))).map((b) => [b.id, b]));
  const results = batch.results.map((r): BatchResult => {
    if (!("bookingId" in r)) return new ItemError(r.index, new DomainError(r.code as ErrorCode, r.detail, r.extensions));
    const booking = bookings.get(r.bookingId);
    // Scope may have narrowed since the first request: a replay shows no more than a GET would.
    return booking && inScope(scope, booking.vm) ? { index: r.index, booking } : new ItemError(r.index, new DomainError("not-found", `No booking with id ${r.bookingId}.`));
  });
  return { id: batch.id, atomic: batch.atomic, results, replayed: true };
}
