// The narrow interface the rest of the service uses to talk to Azure. One implementation: `arm-gateway.ts`
// (the real @azure/arm-compute SDK), pointed either at management.azure.com or at the ARM simulator.
import type { MaintenanceStatus } from "../domain/maintenance.js";

/** Identifies a VM or a scale-set instance in ARM. */
export interface VmRef {
  subscriptionId: string;
  resourceGroup: string;
  /** VM name; for a scale-set instance, the instance's name (e.g. `web_3`). */
  name: string;
  scaleSetName: string | null;
  scaleSetInstanceId: string | null;
}

/**
 * What a VM's own instance view tells us. `maintenance: null` means Azure sent no maintenanceRedeployStatus in
 * the VM's instance view: no maintenance is planned. Only an instance view of the VM itself (or a list that is
 * known to carry it, see ArmVirtualMachine.instanceView) may say so.
 */
export interface InstanceViewFacts {
  maintenance: MaintenanceStatus | null;
  powerState: string | null;
  platformUpdateDomain: number | null;
  platformFaultDomain: number | null;
}

export interface ArmVirtualMachine extends VmRef {
  /** As Azure sent it (ARM ids are case-insensitive; compare lower-cased). */
  resourceId: string;
  location: string;
  /** The availability set's name (last segment of its id); ARM may return it upper-cased, so compare case-insensitively. */
  availabilitySet: string | null;
  zone: string | null;
  tags: Record<string, string>;
  /** Power state from the list's run-time statuses (`statusOnly=true`), when it carried them. */
  powerState: string | null;
  /**
   * The VM's instance view, only when the list carried it with its maintenance status: a scale-set instance list
   * with `$expand=instanceView`, or a VM list item whose instance view holds `maintenanceRedeployStatus`. A
   * status-only VM list documents run-time (power) statuses only, so an instance view there without
   * `maintenanceRedeployStatus` proves nothing: null, and the sync reads the VM's own instance view when due.
   */
  instanceView: InstanceViewFacts | null;
}

/** Every ARM failure surfaces as this one type, so callers decide on `retryable` and `retryAfterMs` alone. */
export class ArmError extends Error {
  constructor(
    message: string,
    readonly details: {
      /** HTTP status of the failing response; null for a failed long-running operation or a network error. */
      statusCode: number | null;
      /** ARM error code (e.g. `OperationNotAllowed`, `TooManyRequests`) when Azure sent one. */
      code: string | null;
      retryable: boolean;
      /** From `Retry-After`, when Azure sent one. */
      retryAfterMs: number | null;
      cause?: unknown;
    },
  ) {
    super(message, { cause: details.cause });
    this.name = "ArmError";
  }
  get statusCode() { return this.details.statusCode; }
  get code() { return this.details.code; }
  get retryable() { return this.details.retryable; }
  get retryAfterMs() { return this.details.retryAfterMs; }
}

export interface AzureGateway extends MaintenanceGateway {
  /** All VMs of a subscription, page by page (plain VMs via listAll?statusOnly=true, then scale-set instances). */
  listVirtualMachines(subscriptionId: string): AsyncIterable<ArmVirtualMachine[]>;
  getInstanceView(vm: VmRef): Promise<InstanceViewFacts>;
  /** Number of HTTP requests sent to ARM so far (including retries), for sync-run bookkeeping and benchmarks. */
  requestCount(): number;
}

/** A performMaintenance long-running operation that ARM has accepted. */
export interface MaintenanceOperation {
  /** Serialized SDK poller state: store it before waiting, so another process can resume polling after a crash. */
  readonly state: string;
  /** ARM's operation id (last segment of the Azure-AsyncOperation URL), when known. */
  readonly operationId: string | null;
  /** Polls until the operation ends. Resolves on `Succeeded`; throws ArmError (code from Azure) on `Failed`. */
  wait(): Promise<void>;
}

export interface MaintenanceGateway {
  /** Sends performMaintenance and returns as soon as ARM accepted it (200/202). Throws ArmError when refused. */
  startMaintenance(vm: VmRef): Promise<MaintenanceOperation>;
  /** Re-attaches to an operation from its stored state; sends no new performMaintenance request. */
  resumeMaintenance(vm: VmRef, state: string): MaintenanceOperation;
}
