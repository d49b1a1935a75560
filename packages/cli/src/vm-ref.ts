// --vm takes what people have at hand: the API's id, the ARM resource id, or the VM's name. A name that several
// VMs share (in other subscriptions or resource groups) is refused with the candidates, never guessed.
import type { MaintenancePlannerClient, VirtualMachine } from "@maintenance-planner/client";
import { UsageError } from "./exit-codes.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESOURCE_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachine(?:s|ScaleSets\/[^/]+\/virtualMachines)\/([^/]+)$/i;

export async function resolveVm(client: MaintenancePlannerClient, ref: string): Promise<string> {
  if (UUID.test(ref)) return ref;
  const resource = RESOURCE_ID.exec(ref);
  if (resource) {
    const [, subscriptionId, resourceGroup] = resource;
    const found = await collect(client.listVirtualMachines({ subscriptionId, resourceGroup, limit: 1000 }), (vm) => vm.resourceId.toLowerCase() === ref.toLowerCase());
    if (found.length === 0) throw new UsageError(`no synced VM has resource id ${ref}`);
    return found[0].id;
  }
  if (ref.startsWith("/")) throw new UsageError(`--vm ${ref} is not a VM resource id (/subscriptions/…/providers/Microsoft.Compute/virtualMachines/NAME)`);
  const named = await collect(client.listVirtualMachines({ q: ref, limit: 1000 }), (vm) => vm.name.toLowerCase() === ref.toLowerCase());
  if (named.length === 0) throw new UsageError(`no synced VM is named ${ref}`);
  if (named.length > 1) {
    throw new UsageError(`${named.length} VMs are named ${ref}; pass one's resource id or id instead:\n${named.map((vm) => `  ${vm.resourceId}  (${vm.id})`).join("\n")}`);
  }
  return named[0].id;
}

async function collect(vms: AsyncIterable<VirtualMachine>, keep: (vm: VirtualMachine) => boolean): Promise<VirtualMachine[]> {
  const out: VirtualMachine[] = [];
  for await (const vm of vms) if (keep(vm)) out.push(vm);
  return out;
}
