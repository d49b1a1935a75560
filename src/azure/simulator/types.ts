// Public types of the ARM simulator. Field names of SimMaintenance mirror the REST JSON exactly, so what a test
// sets is byte-for-byte what a client receives.
import type { ComputePolicy } from "./compute-throttle.js";
import type { Scenario } from "./scenario.js";

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
  /**
   * false (default, as documented): `listAll?statusOnly=true` items carry `properties.instanceView` with the run-time
   * (power) statuses only, and a VM's maintenance is read from its own instance view. true: list items carry the
   * whole instance view, `maintenanceRedeployStatus` included (an undocumented behaviour some clients assume).
   */
  listIncludesInstanceView?: boolean;
  latencyMs?: number;
  /** ARM's per-subscription token buckets. Default ARM's documented ones (ARM_THROTTLE: reads 250/25, writes 200/10); false: none. */
  throttle?: { reads: BucketOptions; writes: BucketOptions } | false;
  /** The Compute resource provider's own call-rate policies. Default COMPUTE_POLICIES (approximate, see README); false: none. */
  computePolicies?: ComputePolicy[] | false;
  /** How long a performMaintenance operation stays InProgress (wall-clock ms). Default 50; `npm start` uses 2 minutes. */
  operationDurationMs?: number;
  /** How long a MaintenanceCompleted status stays before Azure drops it (simulator clock). Default 24 h (assumed). */
  completedRetentionMs?: number;
  /** Timed changes to the fleet (src/azure/simulator/scenario.ts), starting at start-up. */
  scenario?: Scenario;
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
  /** A Compute policy name: the answer carries `x-ms-ratelimit-remaining-resource: <policy>;0`, as Compute's 429s do. */
  policy?: string;
  /** How many matching requests fail; default 1. */
  times?: number;
}

export type OperationOutcome = { status: "Succeeded" } | { status: "Failed"; code: string; message: string };

/** Where a VM sits, as a test sets it (`setPlacement`): only the members given change. */
export interface SimPlacement {
  /** An availability set name in the VM's resource group; null: none. */
  availabilitySet?: string | null;
  platformUpdateDomain?: number;
  platformFaultDomain?: number;
}

/** A performMaintenance operation as it happened at the simulator, in wall-clock time. */
export interface OperationLogEntry {
  id: string;
  /** The VMs it maintained (resource ids as Azure spells them). */
  resourceIds: string[];
  /** Wall-clock ISO times: when the call arrived, and when the maintenance was over (started + duration). */
  startedAt: string;
  endsAt: string;
  outcome: OperationOutcome["status"];
}

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
  /** Replaces the running scenario; its times count from now (simulator clock). Throws when it does not fit the fleet. */
  loadScenario(scenario: Scenario): void;
  scenarioProgress(): { applied: number; pending: number };
  vms(): SimVm[];
  /** Moves a VM into (or out of) an availability set, or to another update domain. */
  setPlacement(resourceId: string, placement: SimPlacement): void;
  /** Replaces a VM's tags (as a change in the portal would; the next list shows them). */
  setTags(resourceId: string, tags: Record<string, string>): void;
  /** Every performMaintenance operation started since start-up (or the last reset), in start order. */
  operationLog(): OperationLogEntry[];
  /** Clears the request log, the operation log and pending faults, and refills every throttling budget. */
  reset(): void;
}
