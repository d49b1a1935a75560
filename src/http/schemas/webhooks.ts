// Webhook subscriptions and deliveries: request and response schemas (and so openapi.yaml).
import { Type } from "typebox";
import { EVENT_NAMES } from "../../domain/events.js";
import { Cursor, Limit, NullableTimestamp, Timestamp, Uuid, page } from "./common.js";

const EventName = Type.Enum([...EVENT_NAMES], { description: "An event type's short name (see GET /v1/event-types)." });
const SubscriptionId = Type.String({ format: "uuid", description: "Only events about VMs in this Azure subscription (case-insensitive).", examples: ["11111111-1111-4111-8111-111111111111"] });
const ResourceGroup = Type.String({ minLength: 1, maxLength: 90, pattern: "^[-\\w.()]*[-\\w()]$", description: "Only events about VMs in resource groups of this name (case-insensitive).", examples: ["rg-web"] });
const Url = Type.String({
  minLength: 1, maxLength: 2048,
  description: "Where to POST events: https, no credentials, and a host that is not (and does not resolve to) a loopback, private, link-local, CGNAT, unspecified, multicast or broadcast address. Checked again on every connection; redirects are not followed.",
  examples: ["https://hooks.example.com/maintenance"],
});
const Description = Type.String({ maxLength: 1000, description: "Free text for people." });

const subscriptionMembers = {
    id: Uuid,
    url: Type.String(),
    eventTypes: Type.Array(EventName, { description: "The types delivered; empty: every type." }),
    filter: Type.Object(
      { subscriptionId: Type.Union([Type.String(), Type.Null()]), resourceGroup: Type.Union([Type.String(), Type.Null()]) },
      { additionalProperties: false, description: "Only events about VMs matching both (null: any); events about no VM (`sync.failed`) match no filter." },
    ),
    description: Type.Union([Type.String(), Type.Null()]),
    owner: Type.Object(
      {
        principalId: Type.String(),
        actor: Type.String(),
        scope: Type.Union([Type.Array(Type.Object({ subscriptionId: Type.String(), resourceGroup: Type.Union([Type.String(), Type.Null()], { description: "null: the whole subscription." }) }, { additionalProperties: false })), Type.Null()], {
          description: "The owner's scope when the subscription was made; events outside it are never delivered (null: unrestricted).",
        }),
      },
      { additionalProperties: false, description: "Who made the subscription." },
    ),
    state: Type.Union([Type.Literal("active"), Type.Literal("disabled")], { description: "`disabled`: its deliveries failed for longer than WEBHOOK_DISABLE_AFTER; nothing is sent (and no new events are queued) until it is enabled again." }),
    stateReason: Type.Union([Type.String(), Type.Null()]),
    failingSince: Type.Union([Timestamp, Type.Null()], { description: "The first failed attempt since the last successful one; null while deliveries succeed." }),
    previousSecretExpiresAt: Type.Union([Timestamp, Type.Null()], { description: "After a rotation: until when the previous secret signs alongside the new one." }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
};

export const WebhookSubscription = Type.Object(subscriptionMembers, {
  $id: "WebhookSubscription", additionalProperties: false, description: "Where to deliver events, signed (Standard Webhooks). Only events made after it was created are delivered to it.",
});

export const WebhookSubscriptionWithSecret = Type.Object(
  {
    ...subscriptionMembers,
    secret: Type.String({
      pattern: "^whsec_[A-Za-z0-9+/=]+$",
      description: "The signing secret (Standard Webhooks `whsec_<base64>`). Shown only now: store it where the receiver reads it.",
      examples: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    }),
  },
  { additionalProperties: false, description: "A webhook subscription with its signing secret (in this answer only)." },
);

export const WebhookSubscriptionCreate = Type.Object(
  {
    url: Url,
    eventTypes: Type.Optional(Type.Array(EventName, { maxItems: 100, description: "Default: every type." })),
    filter: Type.Optional(Type.Object({ subscriptionId: Type.Optional(SubscriptionId), resourceGroup: Type.Optional(ResourceGroup) }, { additionalProperties: false })),
    description: Type.Optional(Type.Union([Type.Null(), Description])),
  },
  { additionalProperties: false, examples: [{ url: "https://hooks.example.com/maintenance", eventTypes: ["booking.completed", "booking.failed"], filter: { resourceGroup: "rg-web" } }] },
);

export const PageQuery = Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false });

export const WebhookSubscriptionPage = page(Type.Ref("WebhookSubscription"), "Webhook subscriptions, in id order.");

export const WebhookDelivery = Type.Object(
  {
    id: Type.String({ format: "uuid", description: "Sent as `webhook-id`; the same on every attempt." }),
    event: Type.Object(
      { id: Uuid, type: Type.String(), subject: Type.String(), sequence: Type.String(), time: Timestamp },
      { additionalProperties: false, description: "The CloudEvent delivered." },
    ),
    state: Type.Union([Type.Literal("pending"), Type.Literal("delivered"), Type.Literal("failed")], { description: "`failed`: the retry schedule ran out (redeliver to try again)." }),
    attempts: Type.Integer({ minimum: 0 }),
    lastAttemptAt: NullableTimestamp,
    lastStatus: Type.Union([Type.Integer(), Type.Null()], { description: "HTTP status of the last answer; null when there was none." }),
    lastError: Type.Union([Type.String(), Type.Null()], { description: "Why the last attempt failed (network error, timeout, refused address, or the status and the start of the answer)." }),
    nextAttemptAt: Type.Union([Timestamp, Type.Null()], { description: "When the next attempt is due (pending only)." }),
    deliveredAt: NullableTimestamp,
    createdAt: Timestamp,
  },
  { $id: "WebhookDelivery", additionalProperties: false, description: "One event to one subscription." },
);

export const WebhookDeliveryPage = page(Type.Ref("WebhookDelivery"), "Deliveries, newest first.");

export const DeliveryParams = Type.Object({ id: Uuid, deliveryId: Uuid }, { additionalProperties: false });
