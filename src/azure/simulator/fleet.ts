// The simulator's mutable state: VMs, scale sets and their instances, looked up case-insensitively like ARM ids.
import type { SimMaintenance, SimScaleSet, SimVm } from "./types.js";

const COMPUTE = "providers/Microsoft.Compute";

export function vmResourceId(sub: string, rg: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/${COMPUTE}/virtualMachines/${name}`;
}

export function scaleSetResourceId(sub: string, rg: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/${COMPUTE}/virtualMachineScaleSets/${name}`;
}

export function scaleSetVmResourceId(sub: string, rg: string, scaleSet: string, instanceId: string): string {
  return `${scaleSetResourceId(sub, rg, scaleSet)}/virtualMachines/${instanceId}`;
}

export class Fleet {
  private readonly vmsById = new Map<string, SimVm>();
  private readonly scaleSetsById = new Map<string, SimScaleSet>();

  constructor(
    readonly subscriptionIds: string[],
    vms: SimVm[],
    scaleSets: SimScaleSet[],
  ) {
    for (const vm of vms) this.vmsById.set(vm.resourceId.toLowerCase(), vm);
    for (const ss of scaleSets) this.scaleSetsById.set(ss.resourceId.toLowerCase(), ss);
  }

  hasSubscription(sub: string): boolean {
    return this.subscriptionIds.some((s) => s.toLowerCase() === sub.toLowerCase());
  }

  get(resourceId: string): SimVm | undefined {
    return this.vmsById.get(resourceId.toLowerCase());
  }

  scaleSet(resourceId: string): SimScaleSet | undefined {
    return this.scaleSetsById.get(resourceId.toLowerCase());
  }

  /** Plain VMs (not scale-set instances) of a subscription, in stable seeding order. */
  vmsOf(sub: string): SimVm[] {
    const s = sub.toLowerCase();
    return [...this.vmsById.values()].filter((vm) => vm.scaleSetName === null && vm.subscriptionId.toLowerCase() === s);
  }

  scaleSetsOf(sub: string): SimScaleSet[] {
    const s = sub.toLowerCase();
    return [...this.scaleSetsById.values()].filter((ss) => ss.subscriptionId.toLowerCase() === s);
  }

  instancesOf(ss: SimScaleSet): SimVm[] {
    const prefix = `${ss.resourceId.toLowerCase()}/virtualmachines/`;
    return [...this.vmsById.entries()].filter(([id]) => id.startsWith(prefix)).map(([, vm]) => vm);
  }

  all(): SimVm[] {
    return [...this.vmsById.values()];
  }

  setMaintenance(resourceId: string, m: SimMaintenance | null): void {
    this.require(resourceId).maintenance = m ? { ...m } : null;
  }

  remove(resourceId: string): void {
    this.require(resourceId);
    this.vmsById.delete(resourceId.toLowerCase());
  }

  add(vm: SimVm): void {
    this.vmsById.set(vm.resourceId.toLowerCase(), vm);
  }

  require(resourceId: string): SimVm {
    const vm = this.get(resourceId);
    if (!vm) throw new Error(`simulator: no VM ${resourceId}`);
    return vm;
  }
}
