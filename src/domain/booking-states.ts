// The booking lifecycle. Shared by the bookings API, the post-sync re-check and the scheduler: every change goes
// through the one writer (src/services/booking-transitions.ts), which calls `checkTransition`, so a final state can
// never change again whoever asks.

export const BOOKING_STATES = [
  "scheduled",
  "running",
  "completed",
  "failed",
  "skipped",
  "cancelled",
  "missed",
  "invalidated",
  "not-needed",
] as const;
export type BookingState = (typeof BOOKING_STATES)[number];

export const ACTIVE_STATES: readonly BookingState[] = ["scheduled", "running"];

const NEXT: Record<BookingState, readonly BookingState[]> = {
  scheduled: ["running", "cancelled", "missed", "invalidated", "not-needed"],
  // A running booking may also end not-needed: the scheduler re-reads the instance view before each attempt.
  running: ["completed", "failed", "skipped", "not-needed"],
  completed: [],
  failed: [],
  skipped: [],
  cancelled: [],
  missed: [],
  invalidated: [],
  "not-needed": [],
};

export function isFinal(state: BookingState): boolean {
  return NEXT[state].length === 0;
}

export function canTransition(from: BookingState, to: BookingState): boolean {
  return NEXT[from].includes(to);
}

/**
 * A booking that stays in its state while something else about it changes: a scheduled one is moved or its note
 * changed; a running one gets its next attempt planned. A final booking never changes.
 */
export function canStay(state: BookingState): boolean {
  return state === "scheduled" || state === "running";
}

export class IllegalTransitionError extends Error {
  constructor(readonly bookingId: string, readonly from: BookingState, readonly to: BookingState) {
    super(`Booking ${bookingId}: ${from} → ${to} is not a move the booking lifecycle allows`);
    this.name = "IllegalTransitionError";
  }
}

/** Throws IllegalTransitionError unless `from → to` is a move of the lifecycle (or `from` may stay as it is). */
export function checkTransition(bookingId: string, from: BookingState, to: BookingState): void {
  if (from === to ? !canStay(from) : !canTransition(from, to)) throw new IllegalTransitionError(bookingId, from, to);
}
