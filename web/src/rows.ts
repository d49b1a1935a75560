// The timeline's rows: VMs under group headings, in the grouping the user chose. Pure.
import type { GroupingId } from "./view-state";
import type { Booking, Vm } from "./types";

/** A VM row's `key` is unique among rows: a VM in several maintenance groups has a row under each. */
export type Row = { kind: "group"; key: string; label: string; count: number } | { kind: "vm"; key: string; vm: Vm };

const NO_GROUP = { key: "\uffff", label: "No maintenance group" };

/** Groupings the API's order (by resource id: subscription, then resource group) already keeps together. */
export const SERVER_ORDERED: readonly GroupingId[] = ["subscription", "resourceGroup"];

function groupOf(vm: Vm, grouping: GroupingId): { key: string; label: string } {
  if (grouping === "maintenanceGroup") throw new Error("maintenance groups are placed by groupsOf");
  if (grouping === "subscription") return { key: vm.subscriptionId, label: `Subscription ${vm.subscriptionId}` };
  if (grouping === "resourceGroup") return { key: `${vm.subscriptionId}/${vm.resourceGroup.toLowerCase()}`, label: `Resource group ${vm.resourceGroup} (subscription ${vm.subscriptionId.slice(0, 8)}…)` };
  const set = vm.scaleSet ? `Scale set ${vm.scaleSet.name}` : vm.availabilitySet ? `Availability set ${vm.availabilitySet}` : null;
  if (!set) return { key: "~none", label: "No availability set or scale set" };
  const ud = vm.platformUpdateDomain === null ? "update domain unknown" : `update domain ${vm.platformUpdateDomain}`;
  return { key: `${set.toLowerCase()}\u0000${String(vm.platformUpdateDomain ?? 99).padStart(3, "0")}`, label: `${set}, ${ud}` };
}

/** The headings a VM goes under: one, or with `maintenanceGroup` one per group it is in (`membership`: VM id → names). */
function groupsOf(vm: Vm, grouping: GroupingId, membership: Map<string, string[]>): { key: string; label: string }[] {
  if (grouping !== "maintenanceGroup") return [groupOf(vm, grouping)];
  const names = membership.get(vm.id);
  return names?.length ? names.map((name) => ({ key: name, label: `Maintenance group ${name}` })) : [NO_GROUP];
}

export function buildRows(vms: Vm[], grouping: GroupingId, membership = new Map<string, string[]>()): Row[] {
  const keyed = vms.flatMap((vm) => groupsOf(vm, grouping, membership).map((g) => ({ vm, ...g })));
  if (!SERVER_ORDERED.includes(grouping)) keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.vm.name.localeCompare(b.vm.name)));
  const rows: Row[] = [];
  let heading = { kind: "group", key: "\u0000", label: "", count: 0 } as Extract<Row, { kind: "group" }>;
  for (const { vm, key, label } of keyed) {
    if (heading.key !== key) {
      heading = { kind: "group", key, label, count: 0 };
      rows.push(heading);
    }
    heading.count++;
    rows.push({ kind: "vm", key: `${key}\u0000${vm.id}`, vm });
  }
  return rows;
}

export function bookingsByVm(bookings: Booking[]): Map<string, Booking[]> {
  const map = new Map<string, Booking[]>();
  for (const b of bookings) map.set(b.virtualMachineId, [...(map.get(b.virtualMachineId) ?? []), b]);
  return map;
}

/**
 * The VM's deadline: the end of its self-service window while that is ahead (the last moment to book), else the
 * start of the scheduled window (when Azure maintains it anyway).
 */
export function deadline(vm: Vm, now = Date.now()): number {
  const m = vm.maintenance;
  const selfEnd = m?.selfServiceWindow.end ? Date.parse(m.selfServiceWindow.end) : null;
  if (selfEnd !== null && selfEnd > now) return selfEnd;
  const scheduled = m?.scheduledWindow.start ? Date.parse(m.scheduledWindow.start) : null;
  return scheduled ?? selfEnd ?? Number.POSITIVE_INFINITY;
}
