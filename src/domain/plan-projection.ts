// What the planner would do with every scheduled booking from now on: the same rules as the claim (planner.ts),
// applied to a simulated future in time order, with operations lasting the learned estimate. Pure; nothing is
// written. Used by POST /v1/plan-previews and for a booking's "deferred" warning.
import { admit, decide, type PlanItem, type PlannerSettings, type PlannerState } from "./planner.js";

export interface Projection {
  id: string;
  /** `start`: when the planner would start it; `missed`: not before its window closes; `held`: its group is past its error budget. */
  outcome: "start" | "missed" | "held";
  projectedStart: Date | null;
  projectedEnd: Date | null;
  /** Why it would wait, in order, when it would not start at its booked time. */
  deferrals: string[];
  reason: string | null;
}

/** A binary min-heap. */
class MinHeap<T> {
  private readonly heap: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}
  get size() {
    return this.heap.length;
  }
  peek(): T | undefined {
    return this.heap[0];
  }
  push(value: T): void {
    const h = this.heap;
    h.push(value);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }
  pop(): T {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}

export function projectPlan(items: PlanItem[], current: () => PlannerState, now: Date, settings: PlannerSettings): Projection[] {
  const sim = current(); // a state of its own: the simulation changes it
  const d = settings.operationDurationMs;
  const byId = new Map(items.map((i) => [i.id, i]));
  const projections = new Map<string, Projection>(items.map((i) => [i.id, { id: i.id, outcome: "start", projectedStart: null, projectedEnd: null, deferrals: [], reason: null }]));
  // Ends of operations in flight, soonest first: what is already running ends at its estimate (or now, if late).
  const ends = new MinHeap<{ at: number; id: string }>((a, b) => a.at < b.at);
  for (const f of [...sim.inFlight()]) ends.push({ at: Math.max(f.startedAt.getTime() + d, now.getTime()), id: f.id });
  // Attempts in time order; at the same time, the earlier booking first.
  let seq = 0;
  const queue = new MinHeap<{ at: number; seq: number; item: PlanItem }>((a, b) => (a.at - b.at || a.item.startAt.getTime() - b.item.startAt.getTime() || a.seq - b.seq) < 0);
  for (const item of items) queue.push({ at: Math.max(item.startAt.getTime(), now.getTime()), seq: seq++, item });
  const forget = (groups: string[], start: Date) => {
    for (const g of groups) {
      const starts = sim.activeStarts.get(g);
      const i = starts?.findIndex((t) => t.getTime() === start.getTime()) ?? -1;
      if (starts && i >= 0) starts.splice(i, 1);
    }
  };
  while (queue.size) {
    const { at, item } = queue.pop();
    // Operations that would have ended by `at` leave the flight, and their update domain's last end moves on.
    while (ends.size && ends.peek()!.at <= at) {
      const { at: endedAt, id } = ends.pop();
      const f = sim.finish(id, endedAt);
      if (f) forget(f.groups, byId.get(id)?.startAt ?? f.startedAt);
    }
    const p = projections.get(item.id)!;
    const decision = decide(item, sim, new Date(at), settings);
    if (decision.kind === "admit") {
      admit(sim, item, new Date(at));
      ends.push({ at: at + d, id: item.id });
      p.projectedStart = new Date(at);
      p.projectedEnd = new Date(at + d);
    } else if (decision.kind === "defer") {
      if (p.deferrals.at(-1) !== decision.reason) p.deferrals.push(decision.reason);
      queue.push({ at: decision.until.getTime(), seq: seq++, item });
    } else {
      Object.assign(p, { outcome: decision.kind === "miss" ? "missed" : "held", reason: decision.reason });
      if (decision.kind === "miss") forget(item.groups, item.startAt);
    }
  }
  return items.map((i) => projections.get(i.id)!);
}
