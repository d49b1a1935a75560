// Maintenance groups and plan previews: request and response schemas (and so openapi.yaml). The policy's rules are
// in src/domain/planner-policy.ts; what the schema can say, it says here too.
import { Type } from "typebox";
import { Nullable, NullableTimestamp, Timestamp, Uuid, page } from "./common.js";
import { NameParams, VmSelector } from "./calendars.js";

const Share = (field: string, min: number) =>
  Type.Union([
    Type.Integer({ minimum: min, maximum: 100000, description: "A number of VMs." }),
    Type.String({ pattern: "^[0-9]{1,3}%$", description: `A share of the group's members, ${min}% to 100%, rounded down${min > 0 ? " (but at least 1)" : ""}.` }),
  ], { description: field });

const GroupPolicy = Type.Object(
  {
    maxConcurrent: Type.Optional(Share("Operations in flight at once among the group's VMs. Absent: no limit.", 1)),
    maxErrors: Type.Optional(Share("`failed` and `skipped` outcomes since the group was last resumed that it tolerates; one more and its scheduled bookings become `held`. Absent: no limit.", 0)),
    updateDomainGap: Type.Optional(Type.String({
      pattern: "^[0-9]{1,5}(s|m|h|d)$",
      description: "The pause between update domains of one availability set or scale set among the group's VMs; absent: UPDATE_DOMAIN_GAP. The longest gap of a VM's groups applies.",
      examples: ["45m"],
    })),
    after: Type.Optional(Type.Array(NameParams.properties.name, {
      maxItems: 20,
      uniqueItems: true,
      description: "Groups whose bookings that start before this group's must be over (not scheduled, held, deferred or running) before it starts.",
    })),
    maintenanceWindow: Type.Optional(Type.String({
      pattern: "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", description: "A maintenance window (must exist: 422 `maintenance-window-unknown`) that auto-booking books the members into; absent: any time of their self-service window.",
      examples: ["tue-thu-night"],
    })),
    autoBook: Type.Optional(Type.Boolean({
      default: false,
      description: "After every sync (and when the group is written), book each member with a self-service window and no active booking at the earliest time inside an occurrence "
        + "of `maintenanceWindow`, inside the self-service window (with BOOKING_MIN_LEAD_SECONDS and BOOKING_END_MARGIN_SECONDS), outside blackouts and within every "
        + "group's limits; createdBy `system:auto-booking:<group>`. A booking cancelled by a user is not made again for the same self-service window.",
    })),
  },
  { additionalProperties: false },
);

const Description = Type.Union([Type.Null(), Type.String({ maxLength: 1000 })], { description: "Free text for people." });

export const MaintenanceGroupPut = Type.Object(
  { description: Type.Optional(Description), selector: VmSelector, policy: Type.Optional(GroupPolicy) },
  { additionalProperties: false, examples: [{ selector: { tags: { app: "checkout" } }, policy: { maxConcurrent: "25%", maxErrors: 0, after: ["checkout-canary"] } }] },
);

export const MaintenanceGroup = Type.Object(
  {
    name: NameParams.properties.name,
    description: Description,
    selector: VmSelector,
    policy: GroupPolicy,
    members: Type.Integer({ description: "VMs the selector picks now (re-evaluated after each sync)." }),
    inFlight: Type.Integer({ description: "Members' bookings `running`." }),
    deferred: Type.Integer({ description: "Members' bookings `scheduled` but deferred by the planner." }),
    held: Type.Integer({ description: "Members' bookings `held` after the group passed maxErrors." }),
    errorsSinceResume: Type.Integer({ description: "Members' bookings that ended `failed` or `skipped` since resumedAt." }),
    unplannable: Type.Array(
      Type.Object({ virtualMachineId: Uuid, reason: Type.String(), deadline: NullableTimestamp }, { additionalProperties: false }),
      { description: "With autoBook: members for which no slot exists before their deadline (the self-service window's end), and why; each raised `deadline.approaching` (threshold `unplannable`) once. A member booked since is not listed." },
    ),
    resumedAt: Timestamp,
    createdAt: Timestamp,
    createdBy: Type.String(),
    updatedAt: Timestamp,
  },
  { $id: "MaintenanceGroup", additionalProperties: false, description: "VMs maintained under one policy: how many at once, how many errors before stopping, which groups go first." },
);

export const MaintenanceGroupPage = page(Type.Ref("MaintenanceGroup"), "Maintenance groups in name order.");

export const PlanPreviewRequest = Type.Object(
  {
    items: Type.Optional(Type.Array(
      Type.Object({ virtualMachineId: Uuid, startAt: Timestamp }, { additionalProperties: false }),
      { maxItems: 10000, description: "Bookings to imagine alongside today's (not checked against the booking rules, never written)." },
    )),
  },
  { additionalProperties: false },
);

const Projection = Type.Object(
  {
    bookingId: Nullable(Uuid, { description: "null for a hypothetical item." }),
    virtualMachineId: Uuid,
    startAt: Timestamp,
    projectedStartAt: NullableTimestamp,
    projectedEndAt: NullableTimestamp,
    deferralReasons: Type.Array(Type.String(), { description: "Why it would wait, in the order it would meet them." }),
    missesDeadline: Type.Boolean({ description: "It would not start before its self-service window (less BOOKING_END_MARGIN_SECONDS) ends: it would end `missed`." }),
    held: Type.Boolean({ description: "Its booking is `held` now (it waits for resume and is not projected)." }),
    autoBookGroup: Nullable(Type.String(), { description: "Set for a booking auto-booking would make now for this autoBook group (`startAt` is the time it would choose; nothing is written); null otherwise." }),
  },
  { additionalProperties: false },
);

export const PlanPreview = Type.Object(
  {
    generatedAt: Timestamp,
    operationEstimateSeconds: Type.Integer({ description: "The operation length assumed: the median of recent completed operations, else 15 minutes." }),
    value: Type.Array(Projection, { description: "Every scheduled or held booking the caller may see, each booking auto-booking would make now, and each hypothetical item, in projected start order." }),
    unplannable: Type.Array(
      Type.Object({ virtualMachineId: Uuid, groups: Type.Array(Type.String()), reason: Type.String(), deadline: NullableTimestamp }, { additionalProperties: false }),
      { description: "Members of autoBook groups (in your scope) for which auto-booking would find no slot before their deadline now." },
    ),
  },
  { additionalProperties: false },
);
