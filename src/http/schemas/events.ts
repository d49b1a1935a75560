// The events this service emits, as JSON Schema: each type's CloudEvent (structured mode, envelope + data). One
// source for `GET /v1/event-types` (self-contained schemas) and for openapi.yaml's `webhooks:` section (which
// refers to the API's component schemas), so the two cannot disagree.
import { Type, type TSchema } from "typebox";
import { EVENT_NAMES, EVENT_TYPES, cloudEventType, type EventName } from "../../domain/events.js";
import { Timestamp, Uuid } from "./common.js";
import { Maintenance } from "./virtual-machines.js";

const Free = (description: string) => Type.Object({}, { additionalProperties: true, description });

const BookingData = Type.Object(
  {
    booking: Type.Ref("Booking"),
    changes: Type.Record(Type.String(), Type.Object({ from: Type.Unknown(), to: Type.Unknown() }, { additionalProperties: false }), {
      description: "What this transition changed: each of `state`, `startAt` and `stateReason` that changed, with its value before and after, e.g. `{\"state\": {\"from\": \"running\", \"to\": \"completed\"}}` (from null for `booking.created`).",
    }),
  },
  { additionalProperties: false },
);

const WindowData = Type.Object(
  {
    virtualMachine: Type.Ref("VirtualMachine"),
    change: Type.Union([Type.Literal("appeared"), Type.Literal("moved"), Type.Literal("cleared")], { description: "As in the VM's window history." }),
    previous: Type.Union([Type.Omit(Maintenance, ["observedAt", "skippedAt"]), Type.Null()], { description: "The VM's maintenance before the change; null when there was none (the window appeared)." }),
  },
  { additionalProperties: false },
);

const DeadlineData = Type.Object(
  {
    virtualMachine: Type.Ref("VirtualMachine"),
    selfServiceWindow: Type.Object({ start: Type.Union([Timestamp, Type.Null()]), end: Timestamp }, { additionalProperties: false }),
    threshold: Type.String({ description: "The DEADLINE_WARNINGS entry that was crossed, or `unplannable`: auto-booking found no slot for the VM before its deadline (raised at once, once per deadline).", examples: ["7d", "2d", "12h", "unplannable"] }),
    reason: Type.Optional(Type.String({ description: "For `unplannable`: why no slot exists." })),
    deadline: Type.String({ format: "date-time", description: "When the self-service window ends: after it, Azure maintains the VM in its scheduled window." }),
  },
  { additionalProperties: false },
);

const SyncData = Type.Object({ syncRun: Type.Ref("SyncRun") }, { additionalProperties: false });

function dataSchema(name: EventName): TSchema {
  if (name.startsWith("booking.")) return BookingData;
  if (name.startsWith("window.")) return WindowData;
  if (name === "deadline.approaching") return DeadlineData;
  return SyncData;
}

/** The structured-mode CloudEvent of one type (src/domain/events.ts `cloudEvent` builds it). */
export function cloudEventSchema(name: EventName): TSchema {
  return Type.Object(
    {
      specversion: Type.Literal("1.0"),
      id: { ...Uuid, description: "The event's id; the same for every subscription and every retry (de-duplicate on it, or on `webhook-id` per subscription)." },
      source: Type.String({ description: "The API collection the subject belongs to.", examples: ["/v1/bookings", "/v1/virtual-machines", "/v1/sync-runs"] }),
      type: Type.Literal(cloudEventType(name)),
      subject: Type.String({ description: "The id of the booking, VM or sync run the event is about." }),
      time: { ...Timestamp, description: "When the change was written (its transaction)." },
      datacontenttype: Type.Literal("application/json"),
      sequence: Type.String({ pattern: "^[0-9]{20}$", description: "CloudEvents sequence extension: this subject's events numbered 1, 2, 3 … in commit order, zero-padded so they also sort as text. Delivery order is not guaranteed across retries: order and de-duplicate on it." }),
      sequencetype: Type.Literal("Integer"),
      data: dataSchema(name),
    },
    { additionalProperties: false, description: EVENT_TYPES[name] },
  );
}

/** Replaces `{ $ref: "Booking" }` by what `resolve` gives (an inlined schema, or a `$ref` elsewhere). */
export function mapRefs(schema: unknown, resolve: (id: string) => unknown): unknown {
  if (Array.isArray(schema)) return schema.map((s) => mapRefs(s, resolve));
  if (schema === null || typeof schema !== "object") return schema;
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === "string" && !ref.startsWith("#")) return resolve(ref);
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, mapRefs(v, resolve)]));
}

/** Self-contained schemas: the referenced component schemas inlined (without their `$id`). */
export function eventTypeList(components: readonly object[]) {
  const byId = new Map(components.map((c) => [(c as { $id?: string }).$id, c as Record<string, unknown>]));
  const inline = (id: string): unknown => {
    const { $id: _id, ...schema } = byId.get(id) ?? {};
    return mapRefs(schema, inline);
  };
  return EVENT_NAMES.map((name) => ({
    name,
    type: cloudEventType(name),
    description: EVENT_TYPES[name],
    schema: { $schema: "https://json-schema.org/draft/2020-12/schema", ...(mapRefs(cloudEventSchema(name), inline) as object) },
  }));
}

export const EventType = Type.Object(
  {
    name: Type.String({ description: "Short name, as `eventTypes` of a webhook subscription takes it.", examples: ["booking.created"] }),
    type: Type.String({ description: "The CloudEvent `type`.", examples: ["org.maintenance-planner.booking.created"] }),
    description: Type.String(),
    schema: Free("JSON Schema (2020-12) of the whole CloudEvent as delivered (envelope and data)."),
  },
  { additionalProperties: false },
);

export const EventTypeList = Type.Object({ value: Type.Array(EventType) }, { additionalProperties: false, description: "Every event type this service emits." });

const header = (name: string, description: string, example: string) => ({ name, in: "header", required: true, description, schema: { type: "string" }, example });

/** openapi.yaml's `webhooks:`: one entry per event type, the request this service sends to subscribers. */
export function openApiWebhooks(): Record<string, object> {
  const toComponent = (id: string) => ({ $ref: `#/components/schemas/${id}` });
  return Object.fromEntries(
    EVENT_NAMES.map((name) => [
      name,
      {
        post: {
          operationId: `webhook:${name}`,
          tags: ["webhooks"],
          summary: EVENT_TYPES[name],
          description:
            "Sent to every active subscription that wants it. Verify the signature with a Standard Webhooks library (`standardwebhooks`) and the " +
            "subscription's secret before trusting the body; answer 2xx quickly. Anything else (or no answer within 10 s) is retried by WEBHOOK_RETRY_SCHEDULE, " +
            "with the same `webhook-id`.",
          parameters: [
            header("webhook-id", "The delivery's id: the same on every retry of this event to this subscription.", "5b0f7a8e-3f0c-4f7e-9d0a-1c2b3d4e5f60"),
            header("webhook-timestamp", "Unix seconds when this attempt was signed; reject old ones (the libraries allow 5 minutes).", "1764352800"),
            header("webhook-signature", "`v1,<base64 HMAC-SHA256 of \"{webhook-id}.{webhook-timestamp}.{body}\">`; during a secret rotation two, space-separated.", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="),
          ],
          requestBody: { required: true, content: { "application/cloudevents+json": { schema: mapRefs(cloudEventSchema(name), toComponent) } } },
          responses: {
            "2XX": { description: "Delivered." },
            default: { description: "Not delivered: retried later (redirects are not followed)." },
          },
        },
      },
    ]),
  );
}
