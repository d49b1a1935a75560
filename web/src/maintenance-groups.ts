// Which maintenance groups each VM is in, for grouping the timeline by group: the group names, then each group's
// members through the VM list's `maintenanceGroup` filter. The VM list itself stays one statement without a
// per-row lookup of groups (its speed is benchmarked); groups are few, so this is a handful of requests.
import type { Api } from "./api";
import type { Page, Vm } from "./types";

async function readAll<T>(api: Api, first: string): Promise<T[]> {
  const items: T[] = [];
  for (let next: string | null = first; next; ) {
    const page: Page<T> = await api.get<Page<T>>(next);
    items.push(...page.value);
    next = page.nextLink;
  }
  return items;
}

/** VM id → the names of the groups it is in (VMs in none are absent). */
export async function groupMembership(api: Api): Promise<Map<string, string[]>> {
  const groups = await readAll<{ name: string }>(api, "/v1/maintenance-groups?limit=100");
  const members = await Promise.all(groups.map(async (g) => ({ name: g.name, vms: await readAll<Vm>(api, `/v1/virtual-machines?maintenanceGroup=${encodeURIComponent(g.name)}&limit=1000`) })));
  const byVm = new Map<string, string[]>();
  for (const { name, vms } of members) for (const vm of vms) byVm.set(vm.id, [...(byVm.get(vm.id) ?? []), name]);
  return byVm;
}
