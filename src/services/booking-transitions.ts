// The one writer of bookings. Every change of a booking's state or schedule — the API (create, move, cancel), the
// post-sync re-check and the scheduler (start, outcome, retry, missed) — goes through transitionBookings or
// createBookingRecords (POST /v1/bookings and /v1/booking-batches), which in the caller's transaction:
//   1. locks the rows and checks each fence (the version the caller read, or the scheduler's lease);
//   2. checks the move against the lifecycle (src/domain/booking-states.ts) — an illegal move throws, whoever asks;
//   3. writes the rows, their audit events and their outbox events (src/db/outbox-repo.ts) set-based.
// A fence that no longer holds is an answer, not an error: the caller says why (lost race, lease lost).
import { appendAuditEvents, type AuditContext } from "../db/audit-repo.js";
import { lockBookings, insertBookingRows, updateBookings, type BookingUpdate, type LockedBooking, type NewBookingRow, type TxClient } from "../db/booking-writes-repo.js";
import { withAttempts, type BookingRow } from "../db/bookings-repo.js";
import { appendEvents, type NewEvent } from "../db/outbox-repo.js";
import { checkTransition, isFinal, type BookingState } from "../domain/booking-states.js";
import { bookingEventName } from "../domain/events.js";
import { bookingJson } from "../representations.js";

/** Whose change it is: the API caller's version (and, for moves, no live scheduler lease), or the scheduler's lease. */
export type Fence = { version: number; unleased?: boolean } | { leaseOwner: string };

export interface BookingTransition {
  id: string;
  fence: Fence;
  to: BookingState;
  startAt?: Date;
  /** undefined: unchanged; null: cleared. */
  note?: string | null;
  /** `state_reason`; undefined: unchanged. */
  reason?: string | null;
  /** The scheduler plans the next attempt (the booking stays running, its lease is given back). */
  retry?: { inMs: number; keepOperation: boolean };
  audit: AuditContext & { action: string; after?: Record<string, unknown> };
}

export type TransitionResult = { ok: true; row: BookingRow } | { ok: false; current: LockedBooking | null };

function fenceHolds(fence: Fence, row: LockedBooking): boolean {
  if ("leaseOwner" in fence) return row.leaseOwner === fence.leaseOwner;
  return row.version === fence.version && !(fence.unleased && row.leased);
}

function updateOf(t: BookingTransition): BookingUpdate {
  return {
    id: t.id, state: t.to, startAt: t.startAt ?? null, note: t.note, reason: t.reason, final: isFinal(t.to),
    // A planned retry gives the lease back (any replica takes the next attempt); so does holding a booking.
    releaseLease: t.retry !== undefined || t.to === "held", retryInMs: t.retry?.inMs ?? null, keepOperation: t.retry?.keepOperation ?? false,
  };
}

function changesOf(before: LockedBooking | null, after: BookingRow): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  const add = (field: string, from: unknown, to: unknown) => {
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from, to };
  };
  add("state", before?.state ?? null, after.state);
  add("startAt", before?.startAt ?? null, after.startAt);
  add("stateReason", before?.stateReason ?? null, after.stateReason);
  return changes;
}

/** The audit and outbox records of committed changes (`before` null for a new booking). */
async function record(client: TxClient, changed: { before: LockedBooking | null; row: BookingRow; audit: BookingTransition["audit"] }[]): Promise<void> {
  await appendAuditEvents(
    client,
    changed.map(({ before, row, audit }) => ({
      actor: audit.actor, requestId: audit.requestId, clientRequestId: audit.clientRequestId, action: audit.action, targetType: "booking", targetId: row.id,
      before: before && { state: before.state, version: before.version, startAt: before.startAt, note: before.note, stateReason: before.stateReason },
      after: { ...row, ...audit.after },
    })),
  );
  const evented = changed.flatMap((c) => {
    const name = bookingEventName(c.before?.state ?? null, c.row.state as BookingState, c.before !== null && c.before.startAt.getTime() !== c.row.startAt.getTime());
    return name ? [{ ...c, name }] : [];
  });
  if (evented.length === 0) return;
  const records = await withAttempts(client, evented.map((c) => c.row));
  const events: NewEvent[] = evented.map((c, i) => ({
    name: c.name, source: "/v1/bookings", subject: c.row.id, subscriptionId: c.row.vm.subscriptionId, resourceGroup: c.row.vm.resourceGroup,
    data: { booking: bookingJson(records[i]), changes: changesOf(c.before, c.row) },
  }));
  await appendEvents(client, events);
}

/**
 * Applies the transitions whose fence holds, in one go; returns one result per transition, in order. Throws
 * IllegalTransitionError (nothing written) when a fenced move is not one the lifecycle allows.
 */
export async function transitionBookings(client: TxClient, transitions: BookingTransition[]): Promise<TransitionResult[]> {
  if (transitions.length === 0) return [];
  const locked = await lockBookings(client, transitions.map((t) => t.id));
  const apply = transitions.filter((t) => {
    const row = locked.get(t.id);
    if (!row || !fenceHolds(t.fence, row)) return false;
    checkTransition(t.id, row.state, t.to);
    return true;
  });
  const rows = new Map((await updateBookings(client, apply.map(updateOf))).map((r) => [r.id, r]));
  await record(client, apply.map((t) => ({ before: locked.get(t.id)!, row: rows.get(t.id)!, audit: t.audit })));
  return transitions.map((t) => {
    const row = rows.get(t.id);
    return row ? { ok: true, row } : { ok: false, current: locked.get(t.id) ?? null };
  });
}

/**
 * New `scheduled` bookings (at most one per VM) with their audit and `booking.created` events, set-based; one
 * result per booking, in order: null when the VM already has an active booking (the partial unique index decides,
 * also against concurrent creates).
 */
export async function createBookingRecords(client: TxClient, bookings: NewBookingRow[], audit: BookingTransition["audit"]): Promise<(BookingRow | null)[]> {
  const written = new Map((await insertBookingRows(client, bookings)).map((row) => [row.virtualMachineId, row]));
  const rows = bookings.map((b) => written.get(b.virtualMachineId) ?? null);
  await record(client, rows.flatMap((row) => (row ? [{ before: null, row, audit }] : [])));
  return rows;
}
