// A maintenance group's policy as the API takes it, checked and turned into the planner's terms. Pure.
import { parseDuration } from "./duration.js";
import { DomainError } from "./errors.js";

/** A limit as a count, or as a share of the group's members. */
export type Limit = { count: number } | { percent: number };

export interface GroupPolicy {
  /** Operations in flight at once in the group. */
  maxConcurrent: Limit | null;
  /** `failed` and `skipped` outcomes since the group was last resumed; past it, its bookings are held. */
  maxErrors: Limit | null;
  /** The pause between update domains of one availability set or scale set; null: UPDATE_DOMAIN_GAP. */
  updateDomainGapMs: number | null;
  /** Groups whose earlier bookings must all be over before this group's start. */
  after: string[];
  /** The maintenance window (by name) auto-booking books the group's VMs into; null: any time of the self-service window. */
  maintenanceWindow: string | null;
  /** Book every member with a self-service window and no active booking, after each sync (src/domain/auto-booking.ts). */
  autoBook: boolean;
}

/** The policy as the API writes it. */
export interface GroupPolicyInput {
  maxConcurrent?: number | string;
  maxErrors?: number | string;
  updateDomainGap?: string;
  after?: string[];
  maintenanceWindow?: string;
  autoBook?: boolean;
}

export const GROUP_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function invalid(pointer: string, message: string): DomainError {
  return new DomainError("invalid-group-policy", message, { pointer });
}

function limit(value: number | string | undefined, field: string, min: number): Limit | null {
  if (value === undefined) return null;
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < min) throw invalid(`/policy/${field}`, `${field} must be a whole number of at least ${min}, or a share like "25%".`);
    return { count: value };
  }
  const m = /^(\d{1,3})%$/.exec(value);
  const percent = m ? Number(m[1]) : NaN;
  if (!(percent >= min && percent <= 100)) throw invalid(`/policy/${field}`, `${field} must be a whole number, or a share from ${min}% to 100% like "25%"; got "${value}".`);
  return { percent };
}

export function parseGroupPolicy(input: GroupPolicyInput, self: string): GroupPolicy {
  const gap = input.updateDomainGap === undefined ? null : parseDuration(input.updateDomainGap);
  if (gap === null && input.updateDomainGap !== undefined) throw invalid("/policy/updateDomainGap", `updateDomainGap must be a duration like 30m or 1h; got "${input.updateDomainGap}".`);
  const after = [...new Set(input.after ?? [])];
  const bad = after.find((name) => !GROUP_NAME.test(name) || name === self);
  if (bad !== undefined) throw invalid("/policy/after", `after names other maintenance groups; "${bad}" is ${bad === self ? "this group itself" : "not a group name"}.`);
  const maintenanceWindow = input.maintenanceWindow ?? null;
  if (maintenanceWindow !== null && !GROUP_NAME.test(maintenanceWindow)) throw invalid("/policy/maintenanceWindow", `maintenanceWindow names a maintenance window; "${maintenanceWindow}" is not a name.`);
  return {
    maxConcurrent: limit(input.maxConcurrent, "maxConcurrent", 1), maxErrors: limit(input.maxErrors, "maxErrors", 0), updateDomainGapMs: gap, after,
    maintenanceWindow, autoBook: input.autoBook ?? false,
  };
}

/** The limit for a group of `members` VMs: a share rounds down, but a concurrency limit is at least 1. */
export function limitFor(l: Limit, members: number, atLeast: number): number {
  return "count" in l ? l.count : Math.max(atLeast, Math.floor((members * l.percent) / 100));
}

/**
 * `after` must not go round in a circle: a group waiting for itself, through others, would never start. `edges`:
 * each group's `after`, with the group being written already in it.
 */
export function findAfterCycle(edges: Map<string, string[]>, start: string): string[] | null {
  const path: string[] = [];
  const onPath = new Set<string>();
  const done = new Set<string>();
  const visit = (g: string): string[] | null => {
    if (onPath.has(g)) return [...path.slice(path.indexOf(g)), g];
    if (done.has(g)) return null;
    onPath.add(g);
    path.push(g);
    for (const next of edges.get(g) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    onPath.delete(g);
    done.add(g);
    return null;
  };
  return visit(start);
}
