import { Type } from "typebox";
import { Cursor, Limit, Nullable, NullableTimestamp, Timestamp, Uuid, page } from "./common.js";

function window(description: string) {
  return Type.Object({ start: NullableTimestamp, end: NullableTimestamp }, { additionalProperties: false, description });
}

export const Maintenance = Type.Object(
  {
    customerInitiatedMaintenanceAllowed: Nullable(Type.Boolean(), { description: "Azure's `isCustomerInitiatedMaintenanceAllowed`." }),
    selfServiceWindow: window("Azure's `preMaintenanceWindowStartTime`..`EndTime`: when the owner may start maintenance."),
    scheduledWindow: window("Azure's `maintenanceWindowStartTime`..`EndTime`: when Azure reboots the VM itself."),
    lastOperationResultCode: Nullable(Type.String({ examples: ["None", "RetryLater", "MaintenanceAborted", "MaintenanceCompleted"] })),
    lastOperationMessage: Nullable(Type.String()),
    observedAt: Timestamp,
    skippedAt: Nullable(Timestamp, {
      description: "Set when a customer-initiated maintenance failed: Azure then skips this VM in the scheduled window and plans it again later. Cleared when a new window is synced.",
    }),
  },
  {
    additionalProperties: false,
    description: "The VM's current `maintenanceRedeployStatus`; null when no maintenance is planned — or, while `maintenanceReadAt` is null, not known yet.",
  },
);

export const VirtualMachine = Type.Object(
  {
    id: Uuid,
    resourceId: Type.String({ description: "ARM resource id as Azure sent it.", examples: ["/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01"] }),
    subscriptionId: Type.String(),
    resourceGroup: Type.String(),
    name: Type.String(),
    location: Type.String({ examples: ["westeurope"] }),
    scaleSet: Nullable(Type.Object({ name: Type.String(), instanceId: Type.String() }, { additionalProperties: false })),
    availabilitySet: Nullable(Type.String()),
    zone: Nullable(Type.String()),
    platformUpdateDomain: Nullable(Type.Integer()),
    platformFaultDomain: Nullable(Type.Integer()),
    tags: Type.Record(Type.String(), Type.String()),
    powerState: Nullable(Type.String({ examples: ["running", "deallocated"] })),
    firstSeenAt: Timestamp,
    lastSeenAt: Timestamp,
    goneSince: Nullable(Timestamp, { description: "Set when the VM was no longer listed by Azure." }),
    maintenanceReadAt: Nullable(Timestamp, {
      description:
        "When the VM's maintenance was last read from its own instance view (by a sync or by the scheduler). Null: never read, so its maintenance is unknown — a null `maintenance` then does not mean none.",
    }),
    maintenance: Nullable(Maintenance),
  },
  { $id: "VirtualMachine", additionalProperties: false },
);

export const WindowHistoryEntry = Type.Object(
  {
    change: Type.Union([Type.Literal("appeared"), Type.Literal("moved"), Type.Literal("cleared"), Type.Literal("status-changed")]),
    observedAt: Timestamp,
    syncRunId: Nullable(Uuid),
    maintenance: Nullable(Type.Omit(Maintenance, ["observedAt", "skippedAt"]), { description: "The status after the change; null for `cleared`." }),
  },
  { additionalProperties: false },
);

export const VirtualMachineDetail = Type.Object(
  {
    ...VirtualMachine.properties,
    windowHistory: Type.Array(WindowHistoryEntry, { description: "Newest first (at most 100)." }),
    activeBooking: Type.Union([Type.Ref("Booking"), Type.Null()], { description: "The VM's scheduled or running booking, if any." }),
    bookings: Type.Array(Type.Ref("Booking"), { description: "The VM's bookings, newest first (at most 100), the active one included." }),
  },
  { additionalProperties: false },
);

export const VirtualMachineQuery = Type.Object(
  {
    subscriptionId: Type.Optional(Type.String({ maxLength: 64, description: "Subscription id, in any case." })),
    resourceGroup: Type.Optional(Type.String({ maxLength: 90, description: "Resource group name, compared ignoring case as ARM does (per UTF-16 unit, simple upper-casing: U+212A KELVIN SIGN is not `k`)." })),
    maintenance: Type.Optional(
      Type.Union([Type.Literal("pending"), Type.Literal("self-service-open"), Type.Literal("none"), Type.Literal("unknown"), Type.Literal("unbooked")], {
        description:
          "`pending`: a window that has not ended and no completion; `self-service-open`: the owner may start maintenance now; `none`: read, and no maintenance planned; `unknown`: the VM's instance view has not been read yet; " +
          "`unbooked`: pending, a self-service window that is open or still to come, and no scheduled or running booking — listed soonest deadline (self-service window end) first.",
      }),
    ),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 80, description: "Name contains this, compared ignoring case as ARM does (per UTF-16 unit, simple upper-casing: U+212A KELVIN SIGN is not `k`)." })),
    tag: Type.Optional(Type.String({ minLength: 2, maxLength: 600, pattern: "^[^=]+=", description: "`key=value`: VMs whose tag `key` has exactly this value.", examples: ["owner=payments"] })),
    includeGone: Type.Optional(Type.Boolean({ default: false, description: "Include VMs Azure no longer lists." })),
    maintenanceGroup: Type.Optional(Type.String({ minLength: 1, maxLength: 63, description: "VMs that are members of this maintenance group now (GET /v1/maintenance-groups); an unknown name matches none." })),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const VirtualMachinePage = page(Type.Ref("VirtualMachine"), "A page of VMs, ordered by resource id (`maintenance=unbooked`: by deadline, soonest first, then resource id).");
