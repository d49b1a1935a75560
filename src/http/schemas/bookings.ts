import { Type } from "typebox";
import { BOOKING_STATES } from "../../domain/booking-states.js";
import { Cursor, Limit, Nullable, NullableTimestamp, Timestamp, Uuid, page } from "./common.js";

export const BookingStateSchema = Type.Enum([...BOOKING_STATES], {
  description: "`scheduled` → `running` → `completed` | `failed` | `skipped`; `scheduled` → `cancelled` | `missed` | `invalidated` | `not-needed`. Only `scheduled` and `running` are active; the others are final.",
});

export const ExecutionAttempt = Type.Object(
  {
    number: Type.Integer({ minimum: 1, description: "1 for the first try." }),
    startedAt: Timestamp,
    finishedAt: NullableTimestamp,
    outcome: Nullable(Type.String({ examples: ["succeeded", "failed", "skipped", "retryable-error", "not-needed", "not-allowed-yet"] }), {
      description: "null while the attempt is in flight.",
    }),
    httpStatus: Nullable(Type.Integer(), { description: "Status of ARM's answer to performMaintenance." }),
    errorCode: Nullable(Type.String()),
    errorMessage: Nullable(Type.String()),
    operationId: Nullable(Type.String(), { description: "ARM's long-running operation, for support cases." }),
  },
  { additionalProperties: false, description: "One try at performing the maintenance (written by the scheduler)." },
);

const Note = Type.String({ maxLength: 1000, description: "Free text for people (at most 1000 characters).", examples: ["Patch night, app team on call"] });
// null first: the app's ajv coerces, and in `anyOf [string, null]` it would turn null into "" (an empty note
// therefore becomes null, i.e. no note).
const NullableNote = (description?: string) => Type.Union([Type.Null(), Note], description ? { description } : {});
const StartAtInput = Type.String({
  minLength: 1,
  maxLength: 64,
  description:
    "RFC 3339 time with an offset (`Z` or `±hh:mm`); stored and returned in UTC with millisecond precision. A time without offset is refused " +
    "(`invalid-start-at`). Must lie inside the VM's self-service window, at least BOOKING_MIN_LEAD_SECONDS (default 300) from now and at " +
    "least BOOKING_END_MARGIN_SECONDS (default 1800) before the window ends.",
  examples: ["2026-11-27T18:00:00+01:00"],
});

export const Booking = Type.Object(
  {
    id: Uuid,
    virtualMachineId: Uuid,
    startAt: Type.String({ format: "date-time", description: "When maintenance should start (UTC).", examples: ["2026-11-27T17:00:00.000Z"] }),
    state: BookingStateSchema,
    stateReason: Nullable(Type.String(), {
      description: "Why the booking reached its state, e.g. the VM's new self-service window for `invalidated`.",
      examples: ["The self-service window moved to 2026-12-05T00:00:00.000Z – 2027-01-05T00:00:00.000Z; startAt 2026-11-27T17:00:00.000Z is outside it. Book again inside the new window."],
    }),
    note: Nullable(Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    createdBy: Type.String({ description: "Who made the booking.", examples: ["anonymous"] }),
    selfServiceWindow: Nullable(
      Type.Object({ start: NullableTimestamp, end: NullableTimestamp }, { additionalProperties: false }),
      { description: "The VM's current self-service window (as last synced): for an `invalidated` booking, the window it no longer fits. Null when no maintenance is planned." },
    ),
    deferredUntil: Nullable(Type.String({ format: "date-time" }), {
      description: "For a scheduled booking the planner holds back (update domains, a maintenance group's limits): when it looks again. Null otherwise.",
    }),
    deferralReason: Nullable(Type.String(), { description: "Why the planner holds it back.", examples: ["update domain 1 of availability set web-as is in maintenance"] }),
    warnings: Type.Array(
      Type.Object(
        {
          code: Type.String({ examples: ["vm-deallocated", "vm-stopped", "availability-set", "scale-set", "deferred"] }),
          detail: Type.String({ description: "What it means for this booking, in words." }),
          projectedStartAt: Type.Optional(Nullable(Type.String({ format: "date-time" }), { description: "For `deferred`: when the planner expects to start it; null: not before its self-service window closes." })),
        },
        { additionalProperties: false },
      ),
      {
        description:
          "What the owner should know, from the VM's facts as last read; never blocks a booking. `vm-deallocated`, `vm-stopped`: started again, the VM may land on an updated host and need no maintenance. `availability-set`, `scale-set`: the planner maintains one update domain at a time. `deferred`: the planner expects to start it later than booked (on create and PATCH, projected from the other bookings; afterwards, while the dispatcher holds it back).",
      },
    ),
    attempts: Type.Array(ExecutionAttempt, { description: "Execution attempts in order; empty until the scheduler runs the booking." }),
  },
  { $id: "Booking", additionalProperties: false, description: "A time at which to start a VM's self-service maintenance." },
);

export const BookingCreate = Type.Object(
  { virtualMachineId: Uuid, startAt: StartAtInput, note: Type.Optional(NullableNote()) },
  { additionalProperties: false, examples: [{ virtualMachineId: "0b5e3c2a-7d4f-4e58-9a51-2f1f0f6f3c11", startAt: "2026-11-27T18:00:00+01:00", note: "Patch night" }] },
);

export const BookingUpdate = Type.Object(
  { startAt: Type.Optional(StartAtInput), note: Type.Optional(NullableNote("null (or \"\") clears the note.")) },
  { additionalProperties: false, minProperties: 1, examples: [{ startAt: "2026-11-28T02:00:00Z" }] },
);

/** The Idempotency-Key header: `replay` says what a retry with the same key and body gets. */
export const idempotencyHeaders = (replay: string) =>
  Type.Object({
    "idempotency-key": Type.Optional(Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: "^[\\x21-\\x7E]+$",
      description: `1–255 visible ASCII characters. Retrying with the same key and body ${replay}; the same key with another body is refused (\`idempotency-key-reused\`). Keys are per caller.`,
      examples: ["4f1c2a9e-create-web-01"],
    })),
  });

export const CreateHeaders = idempotencyHeaders("returns the original booking (201, no second booking)");

export const IfMatchHeaders = (required: string) =>
  Type.Object({
    "if-match": Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: `The booking's ETag from a previous response. ${required}`, examples: ['"3"'] })),
  });

export const BookingQuery = Type.Object(
  {
    state: Type.Optional(Type.Array(BookingStateSchema, { maxItems: BOOKING_STATES.length, description: "Repeatable: `?state=scheduled&state=running`." })),
    virtualMachineId: Type.Optional(Uuid),
    subscriptionId: Type.Optional(Type.String({ maxLength: 64, description: "The VM's subscription id, in any case." })),
    startFrom: Type.Optional(Type.String({ format: "date-time", description: "startAt at or after this time (RFC 3339 with offset)." })),
    startTo: Type.Optional(Type.String({ format: "date-time", description: "startAt before this time (RFC 3339 with offset)." })),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const BookingPage = page(Type.Ref("Booking"), "A page of bookings, ordered by startAt, then id.");

// Functions, not shared objects: the YAML writer would turn shared objects into anchors.
const header = (description: string, example: string) => ({ type: "string", description, examples: [example] });
export const etagHeader = () => ({ etag: header("Strong ETag of the booking's current version; send it as If-Match to change the booking.", '"1"') });
export const locationHeader = () => ({ location: header("URL of the new booking.", "/v1/bookings/0b5e3c2a-7d4f-4e58-9a51-2f1f0f6f3c11") });

const WINDOW = { selfServiceWindow: { start: "2026-11-20T00:00:00.000Z", end: "2026-12-25T00:00:00.000Z" }, earliestStartAt: "2026-11-25T12:05:00.000Z", latestStartAt: "2026-12-24T23:30:00.000Z" };
const CHOOSE = "Choose a time between 2026-11-25T12:05:00.000Z and 2026-12-24T23:30:00.000Z.";
const VM = "0b5e3c2a-7d4f-4e58-9a51-2f1f0f6f3c11";
const BOOKING = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

/** Example problem documents of the booking rules, for openapi.yaml. */
export const BOOKING_PROBLEM_EXAMPLES: Record<string, Record<string, unknown>> = {
  "validation-failed": { detail: "body must NOT have additional properties (colour)", errors: [{ location: "body", path: "/", message: "must NOT have additional properties", field: "colour" }] },
  "invalid-start-at": { detail: 'startAt "2026-11-27T17:00:00" has no UTC offset. Send an RFC 3339 time with an offset, e.g. 2026-11-27T17:00:00Z or 2026-11-27T18:00:00+01:00.' },
  "virtual-machine-unknown": { detail: `No virtual machine with id ${VM}. List them with GET /v1/virtual-machines.` },
  "virtual-machine-gone": { detail: `Virtual machine ${VM} is no longer listed by Azure (gone since 2026-11-24T08:00:00.000Z); it cannot be booked.` },
  "maintenance-unknown": { detail: `Azure's maintenance status of virtual machine ${VM} has not been read yet; it will be by the next sync (or POST /v1/sync-runs). Try again then.` },
  "no-pending-maintenance": { detail: `Virtual machine ${VM} has no pending maintenance; there is nothing to book. Its next window appears after a sync.` },
  "self-service-not-allowed": {
    detail: `Azure does not allow customer-initiated maintenance for virtual machine ${VM}; it will be maintained in its scheduled window.`,
    scheduledWindow: { start: "2026-12-27T00:00:00.000Z", end: "2026-12-27T08:00:00.000Z" },
  },
  "outside-self-service-window": { detail: `startAt 2027-01-02T00:00:00.000Z is outside the self-service window 2026-11-20T00:00:00.000Z – 2026-12-25T00:00:00.000Z. ${CHOOSE}`, ...WINDOW },
  "start-too-soon": { detail: `startAt must be at least 300 s from now. ${CHOOSE}`, ...WINDOW },
  "too-close-to-window-end": { detail: `startAt must be at least 1800 s before the self-service window ends (2026-12-25T00:00:00.000Z), so retries have room. ${CHOOSE}`, ...WINDOW },
  blackout: {
    detail: 'startAt 2026-11-27T17:00:00.000Z falls in blackout "black-friday", which applies to this virtual machine. Maintenance may start again from 2026-11-30T23:00:00.000Z: choose a time outside the blackout, between 2026-11-25T12:05:00.000Z and 2026-12-24T23:30:00.000Z.',
    blackout: "black-friday",
    nextAllowedAt: "2026-11-30T23:00:00.000Z",
    ...WINDOW,
  },
  "active-booking-exists": {
    detail: `Virtual machine ${VM} already has an active booking: booking ${BOOKING} (scheduled, startAt 2026-11-27T17:00:00.000Z). Change or cancel that booking instead.`,
    existingBookingId: BOOKING,
  },
  "idempotency-key-reused": { detail: `Idempotency-Key "4f1c2a9e-create-web-01" was already used with a different request (booking ${BOOKING}). Use a new key for a new request.`, existingBookingId: BOOKING },
  "booking-not-scheduled": { detail: `Booking ${BOOKING} is running; only a scheduled booking can be changed.`, currentState: "running" },
  "precondition-required": { detail: "Changing a booking requires If-Match with the ETag from GET /v1/bookings/{id}, so that concurrent changes are not lost." },
  "precondition-failed": { detail: `Booking ${BOOKING} has changed since it was read (If-Match "1"). GET it again and retry with its current ETag.` },
};

/** The codes of the start-time rules (create and PATCH). */
export const START_AT_RULE_CODES = [
  "invalid-start-at", "no-pending-maintenance", "self-service-not-allowed", "outside-self-service-window", "start-too-soon", "too-close-to-window-end",
  "virtual-machine-gone", "maintenance-unknown", "blackout",
] as const;
