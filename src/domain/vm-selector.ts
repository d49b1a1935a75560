// Which VMs something applies to: a blackout now, the planner's maintenance groups later. Every member given
// must match (AND); a selector with none, or no selector at all, matches every VM.
//
// Comparison follows ARM: subscription ids, resource group, availability set and scale set names are
// case-insensitive (ARM itself returns them in varying case: availability set ids often upper-cased). Tag
// *names* are case-insensitive and tag *values* case-sensitive, as Azure documents for tags ("Tag names are
// case-insensitive for operations … Tag values are case-sensitive"): {"Env": "prod"} matches a VM tagged
// env=prod, not one tagged Env=Prod.
import { armKey } from "./arm-names.js";
import { DomainError } from "./errors.js";

export interface VmSelector {
  subscriptionId?: string;
  resourceGroup?: string;
  /** Every tag listed must be on the VM with exactly this value. */
  tags?: Record<string, string>;
  /** Availability set name (in any resource group unless `resourceGroup` is given too). */
  availabilitySet?: string;
  /** Scale set name (in any resource group unless `resourceGroup` is given too). */
  scaleSet?: string;
}

/** What a selector looks at; the fields of the stored VM (src/db/virtual-machines-repo.ts). */
export interface SelectableVm {
  subscriptionId: string;
  resourceGroup: string;
  tags: Record<string, string>;
  availabilitySet: string | null;
  scaleSetName: string | null;
}

// As ARM compares names (src/domain/arm-names.ts): U+212A KELVIN SIGN is not `k`.
const same = (wanted: string | undefined, actual: string | null) => wanted === undefined || (actual !== null && armKey(wanted) === armKey(actual));

function tagsMatch(wanted: Record<string, string> | undefined, actual: Record<string, string>): boolean {
  if (!wanted) return true;
  const byName = new Map(Object.entries(actual).map(([name, value]) => [armKey(name), value]));
  return Object.entries(wanted).every(([name, value]) => byName.get(armKey(name)) === value);
}

export function matchesSelector(selector: VmSelector | null | undefined, vm: SelectableVm): boolean {
  if (!selector) return true;
  return (
    same(selector.subscriptionId, vm.subscriptionId) &&
    same(selector.resourceGroup, vm.resourceGroup) &&
    same(selector.availabilitySet, vm.availabilitySet) &&
    same(selector.scaleSet, vm.scaleSetName) &&
    tagsMatch(selector.tags, vm.tags)
  );
}

/**
 * Checks a selector; returns it with the subscription id lower-cased (as stored everywhere else). Two tags
 * whose names differ only in case are refused: they name one Azure tag, so the selector could never match.
 */
export function checkSelector(selector: VmSelector, pointer = "/selector"): VmSelector {
  const names = new Map<string, string>();
  for (const name of Object.keys(selector.tags ?? {})) {
    const other = names.get(armKey(name));
    if (other !== undefined) {
      throw new DomainError("invalid-selector", `Tags ${JSON.stringify(other)} and ${JSON.stringify(name)} name the same Azure tag (tag names are case-insensitive); give it once.`, { pointer: `${pointer}/tags` });
    }
    names.set(armKey(name), name);
  }
  return selector.subscriptionId === undefined ? selector : { ...selector, subscriptionId: selector.subscriptionId.toLowerCase() };
}
