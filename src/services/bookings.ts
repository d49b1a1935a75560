// Booking use cases for the API: load, decide (src/domain/booking*.ts), persist through the one writer
// (src/services/booking-transitions.ts), one transaction per request. The start-time rules are checked in the
// transaction that writes, against the blackouts as committed (blackoutsForBooking). Batches:
// src/services/booking-batches.ts.
import { createHash } from "node:crypto";
import type pg from "pg";
import { canTransition, type BookingState } from "../domain/booking-states.js";
import { bookingRequest, checkBookingRequest, requestIdentity, type BookingRequestInput } from "../domain/booking-requests.js";
import { checkBookable, noteValue, type BookingPolicy } from "../domain/bookings.js";
import { ifMatchAllows } from "../domain/bookings-etag.js";
import { parseStartAt } from "../domain/bookings-time.js";
import { inScope, type Scope } from "../domain/access.js";
import { DomainError } from "../domain/errors.js";
import {
  activeBookingConflict, findBookableVm, findBooking, findBookingTargets, findIdempotencyKey, findVmPlacement, insertIdempotencyKey, withAttempts,
  type BookingRecord, type BookingRow, type IdempotencyRecord,
} from "../db/bookings-repo.js";
import type { TxClient } from "../db/booking-writes-repo.js";
import { withTransaction } from "../db/transaction.js";
import type { Caller } from "./access.js";
import type { BookingWarning } from "../domain/booking-warnings.js";
import { deferralWarning } from "./plan-preview.js";
import type { PlannerConfig } from "./planner-claim.js";
import { createBookingRecords, transitionBookings, type BookingTransition } from "./booking-transitions.js";
import { blackoutsForBooking } from "./calendars.js";

export interface BookingDeps {
  pool: pg.Pool;
  clock: () => Date;
  policy: BookingPolicy;
  /** For the `deferred` warning: the planner's settings (UPDATE_DOMAIN_GAP, the end margin). */
  planner: PlannerConfig;
}

export type NewBookingInput = BookingRequestInput;

export interface BookingChangeInput {
  startAt?: string;
  note?: string | null;
}

/** The booking, and whether it was created by an earlier request with the same Idempotency-Key. */
export interface CreatedBooking {
  booking: BookingRecord;
  replayed: boolean;
  /** The planner's early warning: it expects to start the booking later than booked (or not at all). */
  warnings: BookingWarning[];
}

/** A booking with the planner's early warning (src/services/plan-preview.ts), for create and PATCH answers. */
export interface PlannedBooking {
  booking: BookingRecord;
  warnings: BookingWarning[];
}

/** The booking is written: a projection that fails (the database gone meanwhile) costs the warning, not the answer. */
async function planned(deps: BookingDeps, booking: BookingRecord): Promise<PlannedBooking> {
  if (booking.state !== "scheduled") return { booking, warnings: [] };
  const warning = await deferralWarning(deps.pool, booking, deps.clock(), deps.planner).catch(() => null);
  return { booking, warnings: warning ? [warning] : [] };
}

/** A booking outside the caller's scope does not exist for them (404), like one that does not exist at all. */
export async function getBooking(pool: pg.Pool, id: string, scope: Scope = null): Promise<BookingRecord> {
  const booking = await findBooking(pool, id);
  const visible = booking && (scope === null || inScope(scope, (await findVmPlacement(pool, booking.virtualMachineId))!));
  if (!visible) throw new DomainError("not-found", `No booking with id ${id}.`);
  return booking;
}

/** The same key and the same request → the stored booking; the same key and another request → 422. */
async function replay(pool: pg.Pool, idempotency: IdempotencyRecord, scope: Scope): Promise<CreatedBooking | null> {
  const stored = await findIdempotencyKey(pool, idempotency.principalId, idempotency.key);
  if (!stored) return null;
  if (stored.requestHash !== idempotency.requestHash) {
    throw new DomainError("idempotency-key-reused", `Idempotency-Key "${idempotency.key}" was already used with a different request (booking ${stored.bookingId}). Use a new key for a new request.`, {
      existingBookingId: stored.bookingId,
    });
  }
  // Scope may have narrowed since the first request: a replay sees no more than a GET would.
  return { booking: await getBooking(pool, stored.bookingId, scope), replayed: true, warnings: [] };
}

/** The sha-256 of a request's identity, for its Idempotency-Key. */
export function requestHash(identity: unknown): string {
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex");
}

export async function createBooking(deps: BookingDeps, caller: Caller, input: NewBookingInput, idempotencyKey?: string): Promise<CreatedBooking> {
  const request = bookingRequest(input);
  // Keys belong to the principal's stable id (oid / appid), not to its display name, which can be renamed.
  const idempotency = idempotencyKey ? { principalId: caller.principalId, key: idempotencyKey, requestHash: requestHash(requestIdentity(request)) } : null;
  const earlier = idempotency && (await replay(deps.pool, idempotency, caller.scope));
  if (earlier) return earlier;

  const vmId = request.virtualMachineId;
  let row: BookingRow;
  try {
    const created = await withTransaction(deps.pool, async (client) => {
      const blackouts = await blackoutsForBooking(client);
      checkBookingRequest((await findBookingTargets(client, [vmId])).get(vmId) ?? null, request, caller.scope, deps.clock(), deps.policy, blackouts);
      const [inserted] = await createBookingRecords(client, [{ ...request, createdBy: caller.actor }], { ...auditOf(caller), action: "booking.created" });
      if (inserted && idempotency) await insertIdempotencyKey(client, idempotency, inserted.id);
      return inserted;
    });
    if (!created) throw await activeBookingConflict(deps.pool, vmId);
    row = created;
  } catch (error) {
    // A concurrent request with the same key got there first (its booking holds the VM, or its key row exists):
    // answer as it did.
    const twin = idempotency && (await replay(deps.pool, idempotency, caller.scope));
    if (twin) return twin;
    throw error;
  }
  return { ...(await planned(deps, { ...row, attempts: [] })), replayed: false };
}

/**
 * The start-time rules (checkBookable), in the transaction that writes the booking. A batch of bookings (issue
 * 12) loads blackoutsForBooking once in its transaction and calls checkBookable per item the same way.
 */
async function checkStartAt(client: TxClient, deps: BookingDeps, virtualMachineId: string, startAt: Date): Promise<void> {
  const blackouts = await blackoutsForBooking(client);
  checkBookable(await findBookableVm(client, virtualMachineId), virtualMachineId, startAt, deps.clock(), deps.policy, blackouts);
}

export function auditOf(caller: Caller) {
  return { actor: caller.actor, requestId: caller.requestId, clientRequestId: caller.clientRequestId };
}

/**
 * One change through the one writer, after `check` (in the same transaction); null when the booking changed since
 * it was read (the fence failed).
 */
async function change(pool: pg.Pool, transition: BookingTransition, check?: (client: TxClient) => Promise<void>): Promise<BookingRecord | null> {
  const [result] = await withTransaction(pool, async (client) => {
    await check?.(client);
    return transitionBookings(client, [transition]);
  });
  return result.ok ? (await withAttempts(pool, [result.row]))[0] : null;
}

function notScheduled(booking: BookingRow, action: string): DomainError {
  return new DomainError("booking-not-scheduled", `Booking ${booking.id} is ${booking.state}; only a scheduled booking can be ${action}${action === "cancelled" ? " (or a held one)" : ""}.`, {
    currentState: booking.state,
  });
}

/** Checks the caller's scope (outside it: 404, as for GET), If-Match, then the state; returns the booking as read. */
async function loadForChange(pool: pg.Pool, caller: Caller, id: string, ifMatch: string | undefined, action: string, target?: BookingState): Promise<BookingRecord> {
  const booking = await getBooking(pool, id, caller.scope);
  if (ifMatch !== undefined && !ifMatchAllows(ifMatch, booking.version)) {
    throw new DomainError("precondition-failed", `Booking ${id} has changed since it was read (If-Match ${ifMatch.slice(0, 64)}). GET it again and retry with its current ETag.`);
  }
  const state = booking.state as BookingState;
  // A held booking (its group past its error budget) may still be cancelled, not moved: resume the group first.
  const changeable = state === "scheduled" || (state === "held" && target === "cancelled");
  if (!changeable || (target && !canTransition(state, target))) throw notScheduled(booking, action);
  return booking;
}

/** A fenced write changed nothing: say why, as seen now. */
async function lostRace(pool: pg.Pool, id: string, action: string): Promise<DomainError> {
  const now = await getBooking(pool, id);
  if (now.state !== "scheduled" && !(now.state === "held" && action === "cancelled")) return notScheduled(now, action);
  return new DomainError("precondition-failed", `Booking ${id} was changed by another request meanwhile. GET it again and retry with its current ETag.`);
}

export async function updateBooking(deps: BookingDeps, caller: Caller, id: string, ifMatch: string | undefined, input: BookingChangeInput): Promise<PlannedBooking> {
  if (ifMatch === undefined) {
    throw new DomainError("precondition-required", "Changing a booking requires If-Match with the ETag from GET /v1/bookings/{id}, so that concurrent changes are not lost.");
  }
  const startAt = input.startAt === undefined ? undefined : parseStartAt(input.startAt);
  const booking = await loadForChange(deps.pool, caller, id, ifMatch, "changed");
  const action = startAt ? "booking.rescheduled" : "booking.note-changed";
  // Fenced on the version read and on no live scheduler lease: the scheduler may be admitting it at its current time.
  const changed = await change(deps.pool, {
    id, fence: { version: booking.version, unleased: true }, to: "scheduled", startAt, note: noteValue(input.note), audit: { ...auditOf(caller), action },
  }, startAt && ((client) => checkStartAt(client, deps, booking.virtualMachineId, startAt)));
  if (!changed) throw await lostRace(deps.pool, id, "changed");
  return planned(deps, changed);
}

export async function cancelBooking(deps: BookingDeps, caller: Caller, id: string, ifMatch: string | undefined): Promise<BookingRecord> {
  const booking = await loadForChange(deps.pool, caller, id, ifMatch, "cancelled", "cancelled");
  const cancelled = await change(deps.pool, {
    id, fence: { version: booking.version }, to: "cancelled", reason: `Cancelled by ${caller.actor}.`, audit: { ...auditOf(caller), action: "booking.cancelled" },
  });
  if (!cancelled) throw await lostRace(deps.pool, id, "cancelled");
  return cancelled;
}
