// The closed set of errors the service raises on purpose. src/http/problem.ts is the one place that turns a code
// into an HTTP status and an RFC 9457 problem document; jobs log the code.

export const ERROR_CODES = [
  "validation-failed",
  "not-found",
  "invalid-cursor",
  "not-ready",
  // bookings: one code per rule a booking must satisfy
  "invalid-start-at",
  "virtual-machine-unknown",
  "virtual-machine-gone",
  "maintenance-unknown",
  "no-pending-maintenance",
  "self-service-not-allowed",
  "outside-self-service-window",
  "start-too-soon",
  "too-close-to-window-end",
  "blackout",
  "active-booking-exists",
  "idempotency-key-reused",
  "booking-not-scheduled",
  "precondition-required",
  "precondition-failed",
  "booking-batch-refused",
  // security
  "unauthorized",
  "forbidden",
  "scope-assignment-exists",
  // calendars: maintenance windows and blackouts
  "invalid-time-zone",
  "invalid-rrule",
  "invalid-duration",
  "invalid-blackout",
  "invalid-selector",
  "invalid-time-range",
  // webhooks
  "webhooks-not-configured",
  "invalid-webhook-url",
  "delivery-in-progress",
  "scope-assignment-names-caller",
  // planner: maintenance groups
  "invalid-group-policy",
  "maintenance-group-unknown",
  "maintenance-group-cycle",
  "maintenance-window-unknown",
  "maintenance-window-in-use",
  // the event stream
  "event-stream-full",
  "event-stream-gap",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra members for the problem document (e.g. the window bounds a caller must respect). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** A failed item of a batch, inside the batch's error (src/http/problem.ts shows it as `{index, status, problem}`). */
export class ItemError {
  constructor(
    /** The item's position in the request, from 0. */
    readonly index: number,
    readonly error: DomainError,
  ) {}
}
