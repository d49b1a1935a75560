// Public types of the ARM simulator. Field names of SimMaintenance mirror the REST JSON exactly, so what a test
// sets is byte-for-byte what a client receives.

export interface FleetOptions {
  /** A count (fixed, seeded GUIDs) or explicit subscription ids. */
  subscriptions: number | string[];
  vmsPerSubscription: number;
  scaleSetsPerSubscription?: number;
  instancesPerScaleSet?: number;
  seed?: number;
}

export interface SimulatorOptions {
  /** 0 = random (default 0); the host is always 127.0.0.1. */
  port?: number;
  fleet?: FleetOptions;
  now?: () => Date;
  pageSize?: number;
  /** true (default): listAll?statusOnly=true items carry properties.instanceView. */
  listIncludesInstanceView?: boolean;
  latencyMs?: number;
  /** Per-subscription token buckets; ARM's real ones are reads 250/25, writes 200/10. Default false. */
  throttle?: { reads: BucketOptions; writes: BucketOptions } | false;
  /** How long a performMaintenance operation stays InProgress (wall-clock ms). Default 50. */
  operationDurationMs?: number;
}

export interface BucketOptions {
  burst: number;
  perSecond: number;
}

/** `maintenanceRedeployStatus` as sent on the wire; times are ISO strings with an offset. */
export interface SimMaintenance {
  isCustomerInitiatedMaintenanceAllowed?: boolean;
  preMaintenanceWindowStartTime?: string;
  preMaintenanceWindowEndTime?: string;
  maintenanceWindowStartTime?: string;
  maintenanceWindowEndTime?: string;
  lastOperationResultCode?: "None" | "RetryLater" | "MaintenanceAborted" | "MaintenanceCompleted";
  lastOperationMessage?: string | null;
}

export interface SimVm {
  resourceId: string;
  subscriptionId: string;
  resourceGroup: string;
  /** VM name; for a scale-set instance `{scaleSet}_{instanceId}` as Azure names them. */
  name: string;
  scaleSetName: string | null;
  instanceId: string | null;
  location: string;
  vmId: string;
  vmSize: string;
  availabilitySet: string | null;
  zone: string | null;
  tags: Record<string, string>;
  powerState: string;
  platformUpdateDomain: number;
  platformFaultDomain: number;
  maintenance: SimMaintenance | null;
}

export interface SimScaleSet {
  resourceId: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  vmSize: string;
  capacity: number;
}

export interface RequestLogEntry {
  method: string;
  /** Path and query as received. */
  path: string;
  /** One of the operation names below, or "unknown". */
  operation: string;
  subscriptionId: string | null;
  status: number;
  /** ISO time from the simulator clock. */
  at: string;
}

export type OperationName =
  | "listVirtualMachines"
  | "getInstanceView"
  | "listScaleSets"
  | "listScaleSetVMs"
  | "getScaleSetVMInstanceView"
  | "performMaintenance"
  | "getOperation"
  | "getOperationResult";

export interface FaultSpec {
  operation?: string;
  subscriptionId?: string;
  resourceId?: string;
  status: number;
  code?: string;
  message?: string;
  retryAfterSeconds?: number;
  /** How many matching requests fail; default 1. */
  times?: number;
}

export type OperationOutcome = { status: "Succeeded" } | { status: "Failed"; code: string; message: string };

export interface Simulator {
  url: string;
  ca: string;
  subscriptionIds: string[];
  close(): Promise<void>;
  requests(filter?: { operation?: string; subscriptionId?: string }): RequestLogEntry[];
  setMaintenance(resourceId: string, m: SimMaintenance | null): void;
  removeVm(resourceId: string): void;
  injectFault(f: FaultSpec): void;
  setOperationOutcome(resourceId: string, outcome: OperationOutcome): void;
  vms(): SimVm[];
  reset(): void;
}
