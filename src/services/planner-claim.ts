// The planner in the claim: which claimed, due bookings start now, which wait (deferred, with when and why),
// which are missed or held. Runs inside the claim's transaction after pg_advisory_xact_lock(PLANNER_LOCK), so two
// replicas claiming at once still decide one after the other, each seeing what the other admitted: a group's
// maxConcurrent and an availability set's update domains cannot be raced.
import { activeStarts, groupStates, inFlight, operationEnds, planItems, recentOperationMs, scheduledInGroups } from "../db/planner-repo.js";
import type { TxClient } from "../db/booking-writes-repo.js";
import { admit, decide, PlannerState, type PlanItem, type PlannerSettings } from "../domain/planner.js";
import { limitFor } from "../domain/planner-policy.js";

/** Any constant that names "the planner" among advisory locks ("MPPL"). */
export const PLANNER_LOCK = 0x4d50504c;

/** Without a completed operation to learn from, an operation is assumed to take this long. */
export const DEFAULT_OPERATION_MS = 15 * 60_000;

export interface PlannerConfig {
  /** UPDATE_DOMAIN_GAP. */
  updateDomainGapMs: number;
  /** BOOKING_END_MARGIN_SECONDS, in ms. */
  endMarginMs: number;
}

export interface PlanDecisions {
  admit: string[];
  defer: { id: string; until: Date; reason: string }[];
  miss: { id: string; reason: string }[];
  /** Claimed bookings of groups past their error budget. */
  hold: { id: string; reason: string }[];
  /** Other scheduled bookings of those groups (not claimed now), held too, fenced on the version read. */
  holdOthers: { id: string; version: number; reason: string }[];
}

/** The planner's settings with the operation length learned from recent operations. */
export async function plannerSettings(client: TxClient, config: PlannerConfig): Promise<PlannerSettings> {
  return { ...config, operationDurationMs: Math.round((await recentOperationMs(client)) ?? DEFAULT_OPERATION_MS) };
}

/** The state the rules look at, for these bookings (and every booking in flight). */
export async function plannerState(client: TxClient, items: PlanItem[]): Promise<() => PlannerState> {
  // One statement at a time: they share the transaction's connection.
  const placements = [...new Set(items.map((i) => i.placement).filter((p): p is string => p !== null))];
  const groupNames = [...new Set(items.flatMap((i) => i.groups))];
  const groups = await groupStates(client, groupNames);
  const flying = await inFlight(client, placements, groupNames);
  const afterGroups = [...new Set([...groups.values()].flatMap((g) => g.policy.after))];
  const ends = await operationEnds(client, placements);
  const starts = await activeStarts(client, afterGroups);
  return () => new PlannerState(flying, ends, groups, new Map([...starts].map(([g, t]) => [g, [...t]])));
}

/** Decides for claimed scheduled bookings, earliest first, each decision seeing those before it. */
export async function planAdmissions(client: TxClient, bookingIds: string[], now: Date, config: PlannerConfig): Promise<PlanDecisions> {
  const decisions: PlanDecisions = { admit: [], defer: [], miss: [], hold: [], holdOthers: [] };
  if (bookingIds.length === 0) return decisions;
  const items = await planItems(client, bookingIds);
  // In no availability set, scale set or group: no rule applies, and nothing else needs reading.
  if (items.every((i) => i.placement === null && i.groups.length === 0)) return { ...decisions, admit: items.map((i) => i.id) };
  const settings = await plannerSettings(client, config);
  const state = (await plannerState(client, items))();
  for (const item of items) {
    const d = decide(item, state, now, settings);
    if (d.kind === "admit") {
      admit(state, item, now);
      decisions.admit.push(item.id);
    } else if (d.kind === "defer") decisions.defer.push({ id: item.id, until: d.until, reason: d.reason });
    else decisions[d.kind].push({ id: item.id, reason: d.reason });
  }
  // A group past its error budget holds all its remaining bookings, not only those due now.
  const overBudget = [...state.groups.values()].filter((g) => g.policy.maxErrors !== null && g.errors > limitFor(g.policy.maxErrors, g.members, 0));
  if (overBudget.length) {
    const claimed = new Set(bookingIds);
    const reason = (g: string) => `maintenance group ${g} is past its error budget; resume the group to go on`;
    for (const b of await scheduledInGroups(client, overBudget.map((g) => g.name))) {
      if (!claimed.has(b.id)) decisions.holdOthers.push({ id: b.id, version: b.version, reason: reason(overBudget.map((g) => g.name).join(", ")) });
    }
  }
  return decisions;
}
