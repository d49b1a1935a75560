// The events this service emits (CloudEvents 1.0, structured JSON). Pure: what an event is called and which
// booking move it stands for; the payloads are the API's own representations (src/representations.ts).
import type { BookingState } from "./booking-states.js";

/** Reverse-DNS prefix of every event type. */
export const EVENT_TYPE_PREFIX = "org.maintenance-planner.";

export const EVENT_TYPES = {
  "booking.created": "A booking was made (by a person, an application, or automatic booking).",
  "booking.rescheduled": "A scheduled booking was moved to another start time.",
  "booking.cancelled": "A scheduled booking was cancelled.",
  "booking.started": "The scheduler started working on the booking (it is `running`).",
  "booking.completed": "Azure completed the maintenance.",
  "booking.failed": "The booking ended without maintenance: a non-retryable error, or retries or the window ran out.",
  "booking.skipped": "Azure's operation failed; Azure skips the VM in the scheduled window and plans it again later.",
  "booking.missed": "The booking could not start in time (no replica ran at its time, or its window closed).",
  "booking.invalidated": "Azure moved the VM's self-service window away from the booking.",
  "booking.not-needed": "Azure no longer has maintenance pending for the VM.",
  "booking.held": "The booking's maintenance group passed its maxErrors; it waits for the group to be resumed.",
  "booking.resumed": "Its maintenance group was resumed: the held booking is scheduled again (and due now if its time has passed).",
  "window.appeared": "A VM's maintenance window appeared.",
  "window.moved": "A VM's maintenance window moved.",
  "window.cleared": "A VM's maintenance window went away.",
  "deadline.approaching": "A VM's self-service window ends soon and the VM has no active booking.",
  "sync.failed": "A sync run failed, or could not read some subscriptions or instance views (partial).",
} as const;

/** The short name (`booking.created`); the CloudEvent `type` is EVENT_TYPE_PREFIX + it. */
export type EventName = keyof typeof EVENT_TYPES;

export const EVENT_NAMES = Object.keys(EVENT_TYPES) as EventName[];

export function cloudEventType(name: EventName): string {
  return EVENT_TYPE_PREFIX + name;
}

/** `booking.<state>` for a move into `to`, or null when the move is no event (a retry planned while running). */
export function bookingEventName(from: BookingState | null, to: BookingState, rescheduled: boolean): EventName | null {
  if (from === null) return "booking.created";
  if (from === to) return rescheduled ? "booking.rescheduled" : null;
  if (to === "running") return "booking.started";
  if (from === "held" && to === "scheduled") return "booking.resumed";
  const name = `booking.${to}`;
  return name in EVENT_TYPES ? (name as EventName) : null;
}

/** The CloudEvents `sequence` extension is a lexicographically ordered string: a zero-padded decimal. */
export function sequenceString(sequence: bigint | number): string {
  return String(sequence).padStart(20, "0");
}

/** An event as stored in the outbox. */
export interface StoredEvent {
  id: string;
  type: string;
  source: string;
  subject: string;
  sequence: bigint | number | string;
  time: Date;
  data: unknown;
}

/** The structured-mode CloudEvent (`application/cloudevents+json`) of a stored event. */
export function cloudEvent(e: StoredEvent) {
  return {
    specversion: "1.0" as const,
    id: e.id,
    source: e.source,
    type: e.type,
    subject: e.subject,
    time: e.time.toISOString(),
    datacontenttype: "application/json" as const,
    sequence: sequenceString(BigInt(e.sequence)),
    sequencetype: "Integer" as const,
    data: e.data,
  };
}
