// Azure's own clock over each VM's maintenance, on the simulator clock: `isCustomerInitiatedMaintenanceAllowed`
// becomes true when the self-service window opens and false when it ends, and when the scheduled window starts
// Azure performs the maintenance itself (MaintenanceCompleted) — unless the VM was skipped after a failed
// customer-initiated maintenance (MaintenanceAborted), which Azure plans again later. A completed status
// disappears after `completedRetentionMs`. Changes happen when the clock crosses a boundary, so a status a test
// sets explicitly stays exactly as set until the next boundary.
import type { Fleet } from "./fleet.js";
import type { SimVm } from "./types.js";

const ms = (iso: string | undefined) => (iso === undefined ? null : Date.parse(iso));

export class MaintenanceLifecycle {
  /** Per VM (lower-cased id): the simulator time its status was last brought up to date. */
  private readonly evaluatedAt = new Map<string, number>();
  /** Per VM: when its maintenance completed (by Azure in the scheduled window, or by performMaintenance). */
  private readonly completedAt = new Map<string, number>();
  /** No boundary of any VM lies before this: most requests skip the scan. */
  private nextBoundary = -Infinity;

  constructor(
    private readonly fleet: Fleet,
    private readonly now: () => Date,
    private readonly completedRetentionMs: number,
  ) {
    for (const vm of fleet.all()) this.touched(vm.resourceId);
  }

  /** The VM's status was set from outside (seed, control API, scenario): it holds as set from now on. */
  touched(resourceId: string): void {
    const key = resourceId.toLowerCase();
    const now = this.now().getTime();
    this.evaluatedAt.set(key, now);
    const vm = this.fleet.get(key);
    if (vm?.maintenance?.lastOperationResultCode === "MaintenanceCompleted") this.completedAt.set(key, now);
    else this.completedAt.delete(key);
    this.nextBoundary = -Infinity;
  }

  /** A performMaintenance operation completed the VM's maintenance. */
  completed(resourceId: string): void {
    this.completedAt.set(resourceId.toLowerCase(), this.now().getTime());
    this.nextBoundary = -Infinity;
  }

  /** Applies every boundary the clock crossed since the last call. */
  advance(): void {
    const now = this.now().getTime();
    if (now < this.nextBoundary) return;
    let next = Infinity;
    for (const vm of this.fleet.all()) next = Math.min(next, this.step(vm, now));
    this.nextBoundary = next;
  }

  /** Brings one VM up to `now`; returns its next boundary. */
  private step(vm: SimVm, now: number): number {
    const key = vm.resourceId.toLowerCase();
    const since = this.evaluatedAt.get(key) ?? now;
    this.evaluatedAt.set(key, now);
    const m = vm.maintenance;
    if (!m) return Infinity;
    const crossed = (t: number | null) => t !== null && since < t && t <= now;
    if (m.lastOperationResultCode === "MaintenanceCompleted") {
      const clearAt = (this.completedAt.get(key) ?? since) + this.completedRetentionMs;
      if (clearAt > now) return clearAt;
      vm.maintenance = null;
      this.completedAt.delete(key);
      return Infinity;
    }
    const [preStart, preEnd, scheduledStart] = [ms(m.preMaintenanceWindowStartTime), ms(m.preMaintenanceWindowEndTime), ms(m.maintenanceWindowStartTime)];
    if (crossed(scheduledStart) && m.lastOperationResultCode !== "MaintenanceAborted") {
      vm.maintenance = { ...m, isCustomerInitiatedMaintenanceAllowed: false, lastOperationResultCode: "MaintenanceCompleted", lastOperationMessage: null };
      this.completedAt.set(key, now);
      return now + this.completedRetentionMs;
    }
    if (crossed(preEnd) || crossed(scheduledStart)) vm.maintenance = { ...m, isCustomerInitiatedMaintenanceAllowed: false };
    else if (crossed(preStart)) vm.maintenance = { ...m, isCustomerInitiatedMaintenanceAllowed: true };
    return Math.min(...[preStart, preEnd, scheduledStart].map((t) => (t !== null && t > now ? t : Infinity)));
  }
}
