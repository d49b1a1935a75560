// Creating bookings: what a create asks and the checks it must pass, the same for POST /v1/bookings and for each
// item of POST /v1/booking-batches, so both answer the same problem codes in the same order. Pure: the VMs' facts,
// the caller's scope, the clock and the policy are parameters.
import { inScope, type Scope } from "./access.js";
import type { Blackout } from "./blackouts.js";
import { checkBookable, noteValue, type BookableVm, type BookingPolicy } from "./bookings.js";
import { parseStartAt } from "./bookings-time.js";
import { DomainError } from "./errors.js";

/** A create as sent. */
export interface BookingRequestInput {
  virtualMachineId: string;
  startAt: string;
  note?: string | null;
}

/** A create as understood: the VM id lower-cased, startAt a UTC instant, an empty note none. */
export interface BookingRequest {
  virtualMachineId: string;
  startAt: Date;
  note: string | null;
}

/** A VM's active booking, as a conflict names it. */
export interface ActiveBooking {
  id: string;
  state: string;
  startAt: Date;
}

/** What a create must know of its VM: the start-time rules' facts, where it is (scope) and its active booking. */
export interface BookingTarget extends BookableVm {
  subscriptionId: string;
  resourceGroup: string;
  activeBooking: ActiveBooking | null;
}

/** Parses a create; throws `invalid-start-at`. */
export function bookingRequest(input: BookingRequestInput): BookingRequest {
  return { virtualMachineId: input.virtualMachineId.toLowerCase(), startAt: parseStartAt(input.startAt), note: noteValue(input.note ?? null) };
}

/** What identifies a create for its Idempotency-Key: the same instant sent with another offset is the same request. */
export function requestIdentity(request: BookingRequest): [string, string, string | null] {
  return [request.virtualMachineId, request.startAt.toISOString(), request.note];
}

/** `active-booking-exists`, naming the VM's active booking (null: it ended between the conflict and the read). */
export function activeBookingExists(virtualMachineId: string, existing: ActiveBooking | null): DomainError {
  const which = existing ? `booking ${existing.id} (${existing.state}, startAt ${existing.startAt.toISOString()})` : "a booking that has just ended; retry";
  return new DomainError("active-booking-exists", `Virtual machine ${virtualMachineId} already has an active booking: ${which}. Change or cancel that booking instead.`, {
    existingBookingId: existing?.id ?? null,
  });
}

/**
 * Throws the DomainError of the first check `request` fails, in this order: the caller's scope (403, without saying
 * where the VM is; an admin can look that up), the start-time rules and blackouts (src/domain/bookings.ts), then the VM's active
 * booking. The partial unique index still decides between concurrent creates.
 */
export function checkBookingRequest(target: BookingTarget | null, request: BookingRequest, scope: Scope, now: Date, policy: BookingPolicy, blackouts: readonly Blackout[]): void {
  const id = request.virtualMachineId;
  if (target && !inScope(scope, target)) {
    throw new DomainError("forbidden", `Virtual machine ${id} is outside your scope assignments; ask an admin to assign its subscription or resource group to you.`);
  }
  checkBookable(target, id, request.startAt, now, policy, blackouts);
  if (target?.activeBooking) throw activeBookingExists(id, target.activeBooking);
}

/** An item of a batch that passed every check so far: a create to make. */
export interface AcceptedItem {
  index: number;
  request: BookingRequest;
}

/** An item of a batch that failed a check (`sameVmAs`: an earlier item of the batch books its VM). */
export interface FailedItem {
  index: number;
  error: DomainError;
  request?: BookingRequest;
  sameVmAs?: number;
}

export type BatchItem = AcceptedItem | FailedItem;

export const isAccepted = (item: BatchItem): item is AcceptedItem => !("error" in item);

/** Parses each item of a batch: a request, or the item's `invalid-start-at`. */
export function parseBatchItems(inputs: BookingRequestInput[]): BatchItem[] {
  return inputs.map((input, index) => {
    try {
      return { index, request: bookingRequest(input) };
    } catch (error) {
      if (error instanceof DomainError) return { index, error };
      throw error;
    }
  });
}

/**
 * Checks each parsed item as POST /v1/bookings would, in order. An item for a VM that an earlier item of the batch
 * books is `active-booking-exists`, as the second of two creates would be (`sameVmAs` names the earlier item).
 */
export function checkBatchItems(items: BatchItem[], targets: Map<string, BookingTarget>, scope: Scope, now: Date, policy: BookingPolicy, blackouts: readonly Blackout[]): BatchItem[] {
  const bookedBy = new Map<string, number>();
  return items.map((item) => {
    if (!isAccepted(item)) return item;
    const { index, request } = item;
    const vm = request.virtualMachineId;
    try {
      checkBookingRequest(targets.get(vm) ?? null, request, scope, now, policy, blackouts);
    } catch (error) {
      if (error instanceof DomainError) return { index, error };
      throw error;
    }
    const earlier = bookedBy.get(vm);
    if (earlier !== undefined) {
      const error = new DomainError("active-booking-exists", `Virtual machine ${vm} is booked by item ${earlier} of this batch; a VM has at most one active booking.`, { existingBookingId: null });
      return { index, error, request, sameVmAs: earlier };
    }
    bookedBy.set(vm, index);
    return item;
  });
}
