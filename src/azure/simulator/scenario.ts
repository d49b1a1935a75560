// Waves over time: a scenario is a list of timed changes that Azure would make to a fleet — a window announced,
// moved, cancelled, or back again after a wave restarts; a VM deallocated and started again; a fault. Times are
// on the simulator clock, relative to when the scenario was loaded, so a test can drive them with its clock.
// Loaded with `npm run simulator -- --scenario file.json`, SIMULATOR_SCENARIO for `npm start`, the control API
// (`POST /_simulator/scenario`) or `startSimulator({ scenario })`.
import { parseDuration } from "../../domain/duration.js";
import type { Fleet } from "./fleet.js";
import type { FaultSpec, OperationOutcome, SimMaintenance } from "./types.js";
import { isoWithOffset } from "./wire-time.js";

/** A maintenance status whose times may be relative to the event (`+2d`, `-3h`, `+90m`) or absolute (ISO 8601). */
export type ScenarioMaintenance = SimMaintenance & { offsetMinutes?: number };

export type ScenarioEvent =
  | { at: string; vm: string; action: "set-maintenance"; maintenance: ScenarioMaintenance | null }
  | { at: string; vm: string; action: "deallocate" | "start" | "remove" }
  | { at: string; vm: string; action: "outcome"; outcome: OperationOutcome }
  | { at: string; action: "fault"; fault: FaultSpec };

export interface Scenario {
  description?: string;
  events: ScenarioEvent[];
}

/** An event ready to apply: its VM resolved to a resource id, its time to an offset. */
export type PlannedEvent = ScenarioEvent & { atMs: number; resourceId: string | null };

export class ScenarioError extends Error {}

const TIME_FIELDS = ["preMaintenanceWindowStartTime", "preMaintenanceWindowEndTime", "maintenanceWindowStartTime", "maintenanceWindowEndTime"] as const;
const RELATIVE = /^([+-])(\d+(?:ms|s|m|h|d))$/;
const ACTIONS = ["set-maintenance", "deallocate", "start", "remove", "outcome", "fault"];

function offsetMs(at: unknown, i: number): number {
  const ms = typeof at === "string" ? parseDuration(at.replace(/^\+/, "")) : null;
  if (ms === null) throw new ScenarioError(`events[${i}].at must be a duration from the start, like "0s", "90s", "2h" (got ${JSON.stringify(at)})`);
  return ms;
}

/** Finds a VM by resource id or (unique) name, case-insensitively like ARM. */
function resolveVm(fleet: Fleet, ref: unknown, i: number): string {
  if (typeof ref !== "string" || !ref) throw new ScenarioError(`events[${i}].vm must name a VM (resource id or name)`);
  if (ref.startsWith("/")) {
    if (!fleet.get(ref)) throw new ScenarioError(`events[${i}].vm: no VM ${ref}`);
    return fleet.require(ref).resourceId;
  }
  const named = fleet.all().filter((vm) => vm.name.toLowerCase() === ref.toLowerCase());
  if (named.length !== 1) throw new ScenarioError(`events[${i}].vm: ${named.length ? "several VMs are" : "no VM is"} named ${ref}; use its resource id`);
  return named[0].resourceId;
}

/** Checks a scenario against the fleet and orders its events by time. Throws ScenarioError naming the bad event. */
export function planScenario(scenario: unknown, fleet: Fleet): PlannedEvent[] {
  const events = (scenario as Scenario | null)?.events;
  if (!Array.isArray(events)) throw new ScenarioError("a scenario is {\"events\": [...]}");
  return events
    .map((e: ScenarioEvent, i) => {
      if (!ACTIONS.includes(e?.action)) throw new ScenarioError(`events[${i}].action must be one of ${ACTIONS.join(", ")}`);
      const resourceId = e.action === "fault" ? null : resolveVm(fleet, e.vm, i);
      return { ...e, atMs: offsetMs(e.at, i), resourceId };
    })
    .sort((a, b) => a.atMs - b.atMs);
}

/** The wire status for a scenario status applied at `atMs` (epoch ms): relative times become ISO with an offset. */
export function resolveMaintenance(m: ScenarioMaintenance | null, atMs: number): SimMaintenance | null {
  if (!m) return null;
  const { offsetMinutes = 0, ...status } = m;
  const resolved: SimMaintenance = { ...status };
  for (const field of TIME_FIELDS) {
    const value = status[field];
    const rel = value ? RELATIVE.exec(value) : null;
    if (rel) resolved[field] = isoWithOffset(atMs + (rel[1] === "-" ? -1 : 1) * parseDuration(rel[2])!, offsetMinutes);
  }
  return resolved;
}

/** Applies a planned scenario's events as the simulator clock passes them. */
export class ScenarioPlayer {
  private next = 0;

  constructor(
    private readonly events: PlannedEvent[],
    readonly startedAtMs: number,
    private readonly apply: (event: PlannedEvent, atMs: number) => void,
  ) {}

  advance(nowMs: number): void {
    while (this.next < this.events.length && this.startedAtMs + this.events[this.next].atMs <= nowMs) {
      const event = this.events[this.next++];
      this.apply(event, this.startedAtMs + event.atMs);
    }
  }

  progress(): { applied: number; pending: number } {
    return { applied: this.next, pending: this.events.length - this.next };
  }
}
