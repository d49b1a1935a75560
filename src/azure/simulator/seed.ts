// Deterministic demo fleet. Maintenance windows are placed relative to the clock at seeding so that every state the
// portal can show (Start now, Scheduled, Already updated, Retry later, Retry now) exists whatever day it runs.
import { Fleet, scaleSetResourceId, scaleSetVmResourceId, vmResourceId } from "./fleet.js";
import { createRng, guid, intBetween, pick, type Rng } from "./prng.js";
import type { FleetOptions, SimMaintenance, SimScaleSet, SimVm } from "./types.js";
import { isoWithOffset } from "./wire-time.js";

export const DEMO_FLEET: FleetOptions = { subscriptions: 3, vmsPerSubscription: 100, scaleSetsPerSubscription: 2, instancesPerScaleSet: 4, seed: 42 };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Azure's self-service windows last about 35 days. */
const SELF_SERVICE_DAYS = 35;
const LOCATIONS = ["westeurope", "northeurope", "eastus", "eastus2", "westus2"] as const;
const ROLES = ["web", "api", "db", "batch", "cache", "jump"] as const;
const TEAMS = ["payments", "search", "platform", "analytics"] as const;
const SIZES = ["Standard_D2s_v5", "Standard_D4s_v5", "Standard_E8s_v5", "Standard_B2ms"] as const;
/** Offsets (minutes) used when emitting times; Azure uses the region's local offset, e.g. -07:00. */
const OFFSETS = [0, 0, -420, 60, 330, -300] as const;

type Kind = "none" | "open" | "later" | "scheduled" | "retryLater" | "aborted" | "completed";
const KIND_WEIGHTS: [Kind, number][] = [
  ["none", 60], ["open", 12], ["later", 8], ["scheduled", 7], ["retryLater", 4], ["aborted", 4], ["completed", 5],
];

function pickKind(rng: Rng): Kind {
  let r = rng() * 100;
  for (const [kind, weight] of KIND_WEIGHTS) if ((r -= weight) < 0) return kind;
  return "none";
}

/** A maintenance status of the given kind, times relative to `base` (the seeding hour). */
export function maintenanceOf(kind: Kind, base: number, offset: number): SimMaintenance | null {
  if (kind === "none") return null;
  const preStart = kind === "later" ? base + 5 * DAY : kind === "scheduled" ? base - 36 * DAY : base - 3 * DAY;
  const preEnd = preStart + SELF_SERVICE_DAYS * DAY;
  const schedStart = kind === "scheduled" ? base + 2 * DAY : preEnd + 2 * DAY;
  const t = (ms: number) => isoWithOffset(ms, offset);
  const windows = {
    preMaintenanceWindowStartTime: t(preStart),
    preMaintenanceWindowEndTime: t(preEnd),
    maintenanceWindowStartTime: t(schedStart),
    maintenanceWindowEndTime: t(schedStart + 8 * HOUR),
  };
  switch (kind) {
    case "open":
      return { isCustomerInitiatedMaintenanceAllowed: true, ...windows, lastOperationResultCode: "None" };
    case "later":
    case "scheduled":
      return { isCustomerInitiatedMaintenanceAllowed: false, ...windows, lastOperationResultCode: "None" };
    case "retryLater":
      return { isCustomerInitiatedMaintenanceAllowed: true, ...windows, lastOperationResultCode: "RetryLater", lastOperationMessage: "Maintenance could not be started at this time. Please retry later." };
    case "aborted":
      return { isCustomerInitiatedMaintenanceAllowed: true, ...windows, lastOperationResultCode: "MaintenanceAborted", lastOperationMessage: "Maintenance was aborted because of an internal error." };
    case "completed":
      return { isCustomerInitiatedMaintenanceAllowed: false, ...windows, lastOperationResultCode: "MaintenanceCompleted", lastOperationMessage: null };
  }
}

function subscriptionIds(opt: FleetOptions["subscriptions"]): string[] {
  if (Array.isArray(opt)) return [...opt];
  const rng = createRng(0x5eed); // independent of the fleet seed: subscription ids never change
  return Array.from({ length: opt }, () => guid(rng));
}

function baseVm(rng: Rng, base: number, role: string): Omit<SimVm, "resourceId" | "subscriptionId" | "resourceGroup" | "name" | "scaleSetName" | "instanceId" | "location" | "availabilitySet" | "zone" | "vmSize"> {
  const power = rng();
  return {
    vmId: guid(rng),
    tags: { env: pick(rng, ["prod", "staging", "dev"]), role, owner: pick(rng, TEAMS) },
    powerState: power < 0.85 ? "running" : power < 0.95 ? "deallocated" : "stopped",
    platformUpdateDomain: intBetween(rng, 0, 4),
    platformFaultDomain: intBetween(rng, 0, 2),
    maintenance: maintenanceOf(pickKind(rng), base, pick(rng, OFFSETS)),
  };
}

function seedVms(rng: Rng, sub: string, count: number, base: number): SimVm[] {
  return Array.from({ length: count }, (_, i) => {
    const role = pick(rng, ROLES);
    const resourceGroup = `rg-${pick(rng, TEAMS)}-${pick(rng, ["prod", "test"])}`;
    const name = `vm-${role}-${String(i + 1).padStart(4, "0")}`;
    const placement = rng();
    return {
      resourceId: vmResourceId(sub, resourceGroup, name),
      subscriptionId: sub, resourceGroup, name, scaleSetName: null, instanceId: null,
      location: pick(rng, LOCATIONS),
      vmSize: pick(rng, SIZES),
      zone: placement < 0.4 ? String(intBetween(rng, 1, 3)) : null,
      // ARM returns availability set ids upper-cased; keep that quirk so clients compare case-insensitively.
      availabilitySet: placement >= 0.4 && placement < 0.7 ? `AVSET-${role.toUpperCase()}` : null,
      ...baseVm(rng, base, role),
    };
  });
}

function seedScaleSets(rng: Rng, sub: string, count: number, instances: number, base: number) {
  const scaleSets: SimScaleSet[] = [];
  const vms: SimVm[] = [];
  for (let k = 0; k < count; k++) {
    const role = pick(rng, ROLES);
    const resourceGroup = `rg-${pick(rng, TEAMS)}-prod`;
    const name = `vmss-${role}-${k + 1}`;
    const ss: SimScaleSet = {
      resourceId: scaleSetResourceId(sub, resourceGroup, name), subscriptionId: sub, resourceGroup, name,
      location: pick(rng, LOCATIONS), vmSize: pick(rng, SIZES), capacity: instances,
    };
    scaleSets.push(ss);
    for (let i = 0; i < instances; i++) {
      const instanceId = String(i);
      vms.push({
        resourceId: scaleSetVmResourceId(sub, resourceGroup, name, instanceId),
        subscriptionId: sub, resourceGroup, name: `${name}_${instanceId}`, scaleSetName: name, instanceId,
        location: ss.location, vmSize: ss.vmSize, availabilitySet: null, zone: String((i % 3) + 1),
        ...baseVm(rng, base, role),
      });
    }
  }
  return { scaleSets, vms };
}

export function seedFleet(opts: FleetOptions, now: Date): Fleet {
  const rng = createRng(opts.seed ?? 42);
  const base = Math.floor(now.getTime() / HOUR) * HOUR;
  const subs = subscriptionIds(opts.subscriptions);
  const vms: SimVm[] = [];
  const scaleSets: SimScaleSet[] = [];
  for (const sub of subs) {
    vms.push(...seedVms(rng, sub, opts.vmsPerSubscription, base));
    const seeded = seedScaleSets(rng, sub, opts.scaleSetsPerSubscription ?? 0, opts.instancesPerScaleSet ?? 0, base);
    scaleSets.push(...seeded.scaleSets);
    vms.push(...seeded.vms);
  }
  return new Fleet(subs, vms, scaleSets);
}
