// The booking lifecycle. Shared by the bookings API, the post-sync re-check and the scheduler: every state
// change goes through `assertTransition`, so a final state can never change again.

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
