// The planner's rules: may a due booking start now, and if not, until when is it held back and why. Pure — the
// claim (src/services/planner-claim.ts) applies them to the real state in Postgres, under one lock, so replicas
// cannot race them; the plan preview applies the same rules to a simulated future (projectPlan).
//
// Safe by default (no configuration): VMs of one availability set, or instances of one scale set (a "placement"),
// never undergo maintenance in two update domains at once, and UPDATE_DOMAIN_GAP passes between the end of the
// last operation in one update domain and the start of the first in the next — as Azure itself goes through an
// availability set (https://learn.microsoft.com/azure/virtual-machines/availability-set-overview). Maintenance
// groups add maxConcurrent, maxErrors (past it: held) and `after`.
import { limitFor, type GroupPolicy } from "./planner-policy.js";

/** A booking as the planner sees it. */
export interface PlanItem {
  id: string;
  startAt: Date;
  /** The self-service window's end; a booking that cannot start before it, less the end margin, is missed. */
  windowEnd: Date | null;
  /** The VM's availability set or scale set (a stable key), or null. */
  placement: string | null;
  /** The VM's platform update domain; null when Azure did not say (then it shares no domain with any VM). */
  updateDomain: number | null;
  /** Maintenance groups the VM is in. */
  groups: string[];
}

export interface InFlight {
  id: string;
  placement: string | null;
  updateDomain: number | null;
  groups: string[];
  startedAt: Date;
}

export interface GroupState {
  name: string;
  policy: GroupPolicy;
  members: number;
  /** failed and skipped outcomes since the group was last resumed. */
  errors: number;
}

/** A previous operation's end, for the update-domain gap. */
export interface OperationEnd {
  placement: string;
  updateDomain: number | null;
  endedAt: Date;
}

/** What the rules look at, indexed so a claim or a 10,000-booking preview decides in constant time per booking. */
export class PlannerState {
  private readonly flight = new Map<string, InFlight>();
  private readonly byPlacement = new Map<string, Set<InFlight>>();
  private readonly byGroup = new Map<string, Set<InFlight>>();
  /** Per placement: the latest end per update domain (`?` for unknown ones). */
  private readonly ends = new Map<string, Map<number | "?", number>>();

  constructor(
    inFlight: InFlight[],
    lastEnds: OperationEnd[],
    readonly groups: Map<string, GroupState>,
    /** Start times of each group's active (scheduled, held or running) bookings, for `after`. */
    readonly activeStarts: Map<string, Date[]>,
  ) {
    inFlight.forEach((f) => this.start(f));
    lastEnds.forEach((e) => this.ended(e.placement, e.updateDomain, e.endedAt.getTime()));
  }

  start(f: InFlight): void {
    this.flight.set(f.id, f);
    const add = (map: Map<string, Set<InFlight>>, key: string) => (map.get(key) ?? map.set(key, new Set()).get(key)!).add(f);
    if (f.placement !== null) add(this.byPlacement, f.placement);
    f.groups.forEach((g) => add(this.byGroup, g));
  }

  /** An operation in flight ends (the preview's simulated time passes its estimated end). */
  finish(id: string, endedAt: number): InFlight | undefined {
    const f = this.flight.get(id);
    if (!f) return undefined;
    this.flight.delete(id);
    if (f.placement !== null) {
      this.byPlacement.get(f.placement)?.delete(f);
      this.ended(f.placement, f.updateDomain, endedAt);
    }
    f.groups.forEach((g) => this.byGroup.get(g)?.delete(f));
    return f;
  }

  private ended(placement: string, updateDomain: number | null, at: number): void {
    const byDomain = this.ends.get(placement) ?? this.ends.set(placement, new Map()).get(placement)!;
    const key = updateDomain ?? "?";
    byDomain.set(key, Math.max(byDomain.get(key) ?? -Infinity, at));
  }

  inFlight(): IterableIterator<InFlight> {
    return this.flight.values();
  }

  inPlacement(placement: string): Iterable<InFlight> {
    return this.byPlacement.get(placement) ?? [];
  }

  inGroup(group: string): Set<InFlight> {
    return this.byGroup.get(group) ?? new Set();
  }

  /** The latest end of an operation in the placement, in any update domain other than `updateDomain`. */
  lastOtherEnd(placement: string, updateDomain: number | null): number {
    let last = -Infinity;
    for (const [domain, at] of this.ends.get(placement) ?? []) if (!(updateDomain !== null && domain === updateDomain)) last = Math.max(last, at);
    return last;
  }
}

export interface PlannerSettings {
  /** UPDATE_DOMAIN_GAP. */
  updateDomainGapMs: number;
  /** BOOKING_END_MARGIN_SECONDS, in ms: the latest start is the window end less it. */
  endMarginMs: number;
  /** How long an operation takes, learned from recent ones (default 15 minutes). */
  operationDurationMs: number;
}

export type Admission =
  | { kind: "admit" }
  | { kind: "defer"; until: Date; reason: string }
  | { kind: "miss"; reason: string }
  | { kind: "hold"; group: string; reason: string };

interface Blocker {
  until: number;
  reason: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const udName = (ud: number | null) => (ud === null ? "an unknown update domain" : `update domain ${ud}`);
/** Two VMs share an update domain only when Azure said so for both. */
const sameDomain = (a: number | null, b: number | null) => a !== null && a === b;

function updateDomainGapMs(item: PlanItem, state: PlannerState, settings: PlannerSettings): number {
  const own = item.groups.map((g) => state.groups.get(g)?.policy.updateDomainGapMs ?? null).filter((g): g is number => g !== null);
  return own.length ? Math.max(...own) : settings.updateDomainGapMs;
}

function updateDomainBlocker(item: PlanItem, state: PlannerState, now: number, settings: PlannerSettings): Blocker | null {
  if (item.placement === null) return null;
  const gap = updateDomainGapMs(item, state, settings);
  const others = [...state.inPlacement(item.placement)].filter((r) => !sameDomain(r.updateDomain, item.updateDomain));
  if (others.length) {
    const until = Math.max(...others.map((r) => r.startedAt.getTime() + settings.operationDurationMs)) + gap;
    return { until, reason: `${udName(others[0].updateDomain)} of its availability set or scale set is in maintenance; one update domain at a time` };
  }
  const last = state.lastOtherEnd(item.placement, item.updateDomain);
  if (last + gap > now) {
    return { until: last + gap, reason: `${Math.round(gap / 60_000)} min must pass after another update domain's maintenance ended at ${iso(last)}` };
  }
  return null;
}

function concurrencyBlocker(item: PlanItem, state: PlannerState, settings: PlannerSettings): Blocker | null {
  for (const name of item.groups) {
    const group = state.groups.get(name);
    if (!group?.policy.maxConcurrent) continue;
    const max = limitFor(group.policy.maxConcurrent, group.members, 1);
    const running = state.inGroup(name);
    if (running.size >= max) {
      const until = Math.min(...[...running].map((r) => r.startedAt.getTime())) + settings.operationDurationMs;
      return { until, reason: `maintenance group ${name} has ${running.size} of at most ${max} operations in flight` };
    }
  }
  return null;
}

function afterBlocker(item: PlanItem, state: PlannerState, now: number, settings: PlannerSettings): Blocker | null {
  for (const name of item.groups) {
    for (const first of state.groups.get(name)?.policy.after ?? []) {
      const earlier = (state.activeStarts.get(first) ?? []).filter((t) => t.getTime() <= item.startAt.getTime());
      if (earlier.length === 0) continue;
      const until = Math.max(now, ...earlier.map((t) => t.getTime())) + settings.operationDurationMs;
      return { until, reason: `maintenance group ${name} runs after group ${first}, which has ${earlier.length} booking(s) left before this one` };
    }
  }
  return null;
}

function overErrorBudget(group: GroupState): boolean {
  return group.policy.maxErrors !== null && group.errors > limitFor(group.policy.maxErrors, group.members, 0);
}

/** May `item` start at `now`? Holding wins over deferring; still blocked at the latest start, it is a miss. */
export function decide(item: PlanItem, state: PlannerState, now: Date, settings: PlannerSettings): Admission {
  for (const name of item.groups) {
    const group = state.groups.get(name);
    if (group && overErrorBudget(group)) {
      return { kind: "hold", group: name, reason: `maintenance group ${name} is past its error budget (${group.errors} failed or skipped); resume the group to go on` };
    }
  }
  const t = now.getTime();
  const blockers = [updateDomainBlocker(item, state, t, settings), concurrencyBlocker(item, state, settings), afterBlocker(item, state, t, settings)].filter((b): b is Blocker => b !== null);
  if (blockers.length === 0) return { kind: "admit" };
  const reason = blockers.map((b) => b.reason).join("; ");
  const latest = item.windowEnd ? item.windowEnd.getTime() - settings.endMarginMs : Infinity;
  if (t >= latest) return { kind: "miss", reason: `Held back until its self-service window closed for new starts (${iso(latest)}): ${reason}` };
  // Never sooner than a moment from now (a blocker whose estimate has passed is re-checked at the next claim), and
  // never later than the latest start: still blocked then, it is missed rather than started too late.
  return { kind: "defer", until: new Date(Math.min(Math.max(...blockers.map((b) => b.until), t + 1_000), latest)), reason };
}

/** Records an admitted booking in the state, so the next decision of the same claim sees it in flight. */
export function admit(state: PlannerState, item: PlanItem, now: Date): void {
  state.start({ id: item.id, placement: item.placement, updateDomain: item.updateDomain, groups: item.groups, startedAt: now });
}
