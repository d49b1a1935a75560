// Scope assignments and audit events: request and response schemas (and so openapi.yaml).
import { Type } from "typebox";
import { ROLES } from "../../domain/access.js";
import { Cursor, Limit, Timestamp, Uuid, page } from "./common.js";

const PrincipalId = Type.String({
  format: "uuid",
  description: "A user's object id (`oid`), an application's client id (`appid`/`azp`) or service principal object id, or a group's object id (from the `groups` claim).",
  examples: ["3f2b8c1e-6a4d-4b7e-9c1f-2d5e8a7b6c40"],
});
const SubscriptionId = Type.String({ format: "uuid", description: "Azure subscription id (case-insensitive; returned lower-cased).", examples: ["11111111-1111-4111-8111-111111111111"] });
const ResourceGroup = Type.String({ minLength: 1, maxLength: 90, pattern: "^[-\\w.()]*[-\\w()]$", description: "Resource group name, as given; compared ignoring case as ARM does (per UTF-16 unit, simple upper-casing: U+212A KELVIN SIGN is not `k`).", examples: ["rg-web"] });

export const ScopeAssignment = Type.Object(
  {
    id: Uuid,
    principalId: PrincipalId,
    subscriptionId: SubscriptionId,
    resourceGroup: Type.Union([ResourceGroup, Type.Null()], { description: "null: the whole subscription." }),
    createdBy: Type.String(),
    createdAt: Timestamp,
  },
  {
    $id: "ScopeAssignment",
    additionalProperties: false,
    description: "Narrows a principal to a subscription or resource group. A principal with no assignment (directly or through a group) is limited by its app role only; with assignments, it sees and books only VMs they cover.",
  },
);

export const ScopeAssignmentCreate = Type.Object(
  { principalId: PrincipalId, subscriptionId: SubscriptionId, resourceGroup: Type.Optional(Type.Union([Type.Null(), ResourceGroup])) },
  { additionalProperties: false, examples: [{ principalId: "3f2b8c1e-6a4d-4b7e-9c1f-2d5e8a7b6c40", subscriptionId: "11111111-1111-4111-8111-111111111111", resourceGroup: "rg-web" }] },
);

export const ScopeAssignmentQuery = Type.Object(
  { principalId: Type.Optional(PrincipalId), limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

export const ScopeAssignmentPage = page(Type.Ref("ScopeAssignment"), "Scope assignments, in id order.");

export const AuditEvent = Type.Object(
  {
    id: Type.String({ pattern: "^[0-9]+$", description: "Increasing event number (as a string: it may exceed 2^53).", examples: ["1042"] }),
    at: Timestamp,
    actor: Type.String({ description: "Who: a user's preferred_username or object id, an application's client id, `anonymous` (AUTH_MODE=none), or `system:<job>`.", examples: ["alice@contoso.com"] }),
    action: Type.String({ examples: ["booking.created", "booking.rescheduled", "booking.cancelled", "booking.invalidated", "sync.started", "scope-assignment.created", "scope-assignment.deleted", "execution.completed"] }),
    targetType: Type.String({ examples: ["booking", "sync-run", "scope-assignment"] }),
    targetId: Type.String(),
    before: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], { description: "The target before the change; null for a creation." }),
    after: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], { description: "The target after the change; null for a deletion." }),
    requestId: Type.Union([Type.String(), Type.Null()], {
      description: "The request that made the change: the id the service generated for it (the `x-request-id` response header and `requestId` of its problem documents); null for jobs.",
    }),
    clientRequestId: Type.Union([Type.String(), Type.Null()], {
      description: "The `x-request-id` the caller sent with that request, if well-formed: for finding the change in the caller's own logs. The caller chooses it, so it proves nothing.",
    }),
  },
  { $id: "AuditEvent", additionalProperties: false, description: "One change, recorded in the same transaction as the change. Never updated or deleted." },
);

export const AuditEventQuery = Type.Object(
  {
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "e.g. a booking id." })),
    action: Type.Optional(Type.String({ pattern: "^[a-z-]+\\.[a-z-]+$", maxLength: 64, examples: ["booking.cancelled"] })),
    from: Type.Optional(Type.String({ format: "date-time", description: "Events at or after this time (RFC 3339 with offset)." })),
    to: Type.Optional(Type.String({ format: "date-time", description: "Events before this time (RFC 3339 with offset)." })),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const AuditEventPage = page(Type.Ref("AuditEvent"), "Audit events, newest first.");

export const Me = Type.Object(
  {
    kind: Type.Union([Type.Literal("user"), Type.Literal("app"), Type.Literal("anonymous")]),
    actor: Type.String({ description: "Recorded on the caller's bookings and audit events.", examples: ["ada@contoso.com"] }),
    roles: Type.Array(Type.Enum([...ROLES]), {
      description: "The app roles the caller holds, with those they imply (Admin implies Book implies Read): what the caller may do.",
    }),
    scope: Type.Union(
      [Type.Array(Type.Object({ subscriptionId: Type.String(), resourceGroup: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false })), Type.Null()],
      { description: "The subscriptions and resource groups the caller's scope assignments cover; null: unrestricted." },
    ),
  },
  { additionalProperties: false, description: "Who the caller is to this API, for clients that show or hide what the caller may do." },
);
