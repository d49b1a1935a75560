// performMaintenance long-running operations. An operation stays InProgress for `durationMs` of wall-clock time
// (not the simulator clock, which tests may freeze), then ends as set by setOutcome (default Succeeded).
import { randomUUID } from "node:crypto";
import type { Fleet } from "./fleet.js";
import type { OperationLogEntry, OperationOutcome, SimVm } from "./types.js";

export interface SimOperation {
  id: string;
  subscriptionId: string;
  location: string;
  vmIds: string[];
  startTime: string;
  startedMs: number;
  /** Wall-clock ms at the start, for the operation log. */
  startedAtMs: number;
  outcome: OperationOutcome;
  endTime: string | null;
}

export class Operations {
  private readonly ops = new Map<string, SimOperation>();
  private readonly nextOutcome = new Map<string, OperationOutcome>();
  /** Per VM (lower-cased id): the allowed flag before its operation started, restored when it fails. */
  private readonly allowedBefore = new Map<string, boolean | undefined>();
  private loggedFrom = 0;

  constructor(
    private readonly fleet: Fleet,
    private readonly durationMs: number,
    private readonly now: () => Date,
    /** Told when an operation completed a VM's maintenance. */
    private readonly onCompleted: (resourceId: string) => void = () => undefined,
  ) {}

  setOutcome(resourceId: string, outcome: OperationOutcome): void {
    this.nextOutcome.set(resourceId.toLowerCase(), outcome);
  }

  start(subscriptionId: string, location: string, vms: SimVm[]): SimOperation {
    const keys = vms.map((vm) => vm.resourceId.toLowerCase());
    const failed = keys.map((k) => this.nextOutcome.get(k)).find((o) => o?.status === "Failed");
    for (const [i, vm] of vms.entries()) {
      this.nextOutcome.delete(keys[i]);
      this.allowedBefore.set(keys[i], vm.maintenance?.isCustomerInitiatedMaintenanceAllowed);
      // While maintenance runs Azure no longer offers to start it.
      if (vm.maintenance) vm.maintenance = { ...vm.maintenance, isCustomerInitiatedMaintenanceAllowed: false };
    }
    const op: SimOperation = {
      id: randomUUID(), subscriptionId, location, vmIds: keys, startTime: this.now().toISOString(),
      startedMs: performance.now(), startedAtMs: Date.now(), outcome: failed ?? { status: "Succeeded" }, endTime: null,
    };
    this.ops.set(op.id.toLowerCase(), op);
    return op;
  }

  /** Every operation started (since the last `clearLog`), in start order. */
  log(): OperationLogEntry[] {
    return [...this.ops.values()].filter((op) => op.startedAtMs >= this.loggedFrom).map((op) => ({
      id: op.id,
      resourceIds: op.vmIds.map((k) => this.fleet.get(k)?.resourceId ?? k),
      startedAt: new Date(op.startedAtMs).toISOString(),
      endsAt: new Date(op.startedAtMs + this.durationMs).toISOString(),
      outcome: op.outcome.status,
    }));
  }

  clearLog(): void {
    this.loggedFrom = Date.now();
  }

  get(id: string): SimOperation | undefined {
    this.settle();
    return this.ops.get(id.toLowerCase());
  }

  /** Ends every operation whose time is up and applies its effect on the VMs. */
  settle(): void {
    const nowMs = performance.now();
    for (const op of this.ops.values()) {
      if (op.endTime !== null || nowMs - op.startedMs < this.durationMs) continue;
      op.endTime = this.now().toISOString();
      for (const key of op.vmIds) this.finish(key, op.outcome);
    }
  }

  private finish(key: string, outcome: OperationOutcome): void {
    const vm = this.fleet.get(key);
    if (!vm?.maintenance) return; // removed or cleared meanwhile
    vm.maintenance =
      outcome.status === "Succeeded"
        ? { ...vm.maintenance, isCustomerInitiatedMaintenanceAllowed: false, lastOperationResultCode: "MaintenanceCompleted", lastOperationMessage: null }
        : { ...vm.maintenance, isCustomerInitiatedMaintenanceAllowed: this.allowedBefore.get(key), lastOperationResultCode: "MaintenanceAborted", lastOperationMessage: outcome.message };
    this.allowedBefore.delete(key);
    if (outcome.status === "Succeeded") this.onCompleted(key);
  }

  statusDocument(op: SimOperation) {
    const status = op.endTime === null ? "InProgress" : op.outcome.status;
    return {
      startTime: op.startTime,
      ...(op.endTime ? { endTime: op.endTime } : {}),
      status,
      ...(op.outcome.status === "Failed" && op.endTime ? { error: { code: op.outcome.code, message: op.outcome.message } } : {}),
      name: op.id,
    };
  }
}
