import { describe, expect, it } from "vitest";
import { projectPlan } from "../../src/domain/plan-projection.js";
import { admit, decide, PlannerState, type GroupState, type InFlight, type OperationEnd, type PlanItem } from "../../src/domain/planner.js";
import { findAfterCycle, parseGroupPolicy } from "../../src/domain/planner-policy.js";
import { DomainError } from "../../src/domain/errors.js";

const MIN = 60_000;
const now = new Date("2026-12-01T02:00:00Z");
const at = (minutes: number) => new Date(now.getTime() + minutes * MIN);
const settings = { updateDomainGapMs: 30 * MIN, endMarginMs: 30 * MIN, operationDurationMs: 10 * MIN };
const item = (id: string, over: Partial<PlanItem> = {}): PlanItem => ({ id, startAt: now, windowEnd: at(30 * 24 * 60), placement: "as-1", updateDomain: 0, groups: [], ...over });
const flight = (id: string, over: Partial<InFlight> = {}): InFlight => ({ id, placement: "as-1", updateDomain: 0, groups: [], startedAt: at(-2), ...over });
const group = (name: string, policy: Parameters<typeof parseGroupPolicy>[0], members = 8, errors = 0): GroupState => ({ name, policy: parseGroupPolicy(policy, name), members, errors });
const state = (inFlight: InFlight[] = [], ends: OperationEnd[] = [], groups: GroupState[] = [], activeStarts: [string, Date[]][] = []) =>
  new PlannerState(inFlight, ends, new Map(groups.map((g) => [g.name, g])), new Map(activeStarts));

describe("planner: update domains", () => {
  it("admits more of the same update domain, holds back another domain until the running one ends plus the gap", () => {
    const s = state([flight("a", { updateDomain: 0 })]);
    expect(decide(item("b", { updateDomain: 0 }), s, now, settings)).toEqual({ kind: "admit" });
    const other = decide(item("c", { updateDomain: 1 }), s, now, settings);
    expect(other).toMatchObject({ kind: "defer", until: at(-2 + 10 + 30), reason: expect.stringContaining("update domain 0") });
    expect(decide(item("d", { placement: "as-2", updateDomain: 1 }), s, now, settings)).toEqual({ kind: "admit" });
    expect(decide(item("e", { placement: null, updateDomain: 3 }), s, now, settings)).toEqual({ kind: "admit" });
  });

  it("keeps the gap after another domain's last operation ended, but not after its own", () => {
    const s = state([], [{ placement: "as-1", updateDomain: 0, endedAt: at(-10) }]);
    expect(decide(item("x", { updateDomain: 0 }), s, now, settings)).toEqual({ kind: "admit" });
    expect(decide(item("y", { updateDomain: 1 }), s, now, settings)).toMatchObject({ kind: "defer", until: at(20), reason: expect.stringContaining("30 min must pass") });
    expect(decide(item("y", { updateDomain: 1 }), s, at(20), settings)).toEqual({ kind: "admit" });
  });

  it("treats an unknown update domain as sharing none", () => {
    const s = state([flight("a", { updateDomain: null })]);
    expect(decide(item("b", { updateDomain: null }), s, now, settings).kind).toBe("defer");
    expect(decide(item("c", { updateDomain: 2 }), s, now, settings).kind).toBe("defer");
  });

  it("uses a group's own gap when it is longer", () => {
    const s = state([], [{ placement: "as-1", updateDomain: 0, endedAt: at(-10) }], [group("web", { updateDomainGap: "45m" })]);
    expect(decide(item("y", { updateDomain: 1, groups: ["web"] }), s, now, settings)).toMatchObject({ kind: "defer", until: at(35) });
  });
});

describe("planner: maintenance groups", () => {
  it("keeps maxConcurrent, as a count or a share of the members", () => {
    const two = state([flight("a", { placement: null, groups: ["g"] }), flight("b", { placement: null, groups: ["g"] })], [], [group("g", { maxConcurrent: 2 })]);
    expect(decide(item("c", { placement: null, groups: ["g"] }), two, now, settings)).toMatchObject({ kind: "defer", until: at(8), reason: expect.stringContaining("2 of at most 2") });
    const share = state([flight("a", { placement: null, groups: ["g"] })], [], [group("g", { maxConcurrent: "25%" }, 8)]);
    expect(decide(item("c", { placement: null, groups: ["g"] }), share, now, settings)).toEqual({ kind: "admit" });
    admit(share, item("c", { placement: null, groups: ["g"] }), now);
    expect(decide(item("d", { placement: null, groups: ["g"] }), share, now, settings).kind).toBe("defer");
  });

  it("holds a group's bookings past its error budget", () => {
    const s = state([], [], [group("g", { maxErrors: 0 }, 8, 1), group("ok", { maxErrors: "25%" }, 8, 2)]);
    expect(decide(item("c", { groups: ["g"] }), s, now, settings)).toMatchObject({ kind: "hold", group: "g" });
    expect(decide(item("d", { groups: ["ok"] }), s, now, settings)).toEqual({ kind: "admit" });
  });

  it("starts a group after another only when that one has no earlier booking left", () => {
    const s = state([], [], [group("db", {}), group("web", { after: ["db"] })], [["db", [at(-5), at(60)]]]);
    expect(decide(item("w", { placement: null, groups: ["web"] }), s, now, settings)).toMatchObject({ kind: "defer", reason: expect.stringContaining("after group db") });
    const later = state([], [], [group("db", {}), group("web", { after: ["db"] })], [["db", [at(60)]]]);
    expect(decide(item("w", { placement: null, groups: ["web"] }), later, now, settings)).toEqual({ kind: "admit" });
  });

  it("misses a booking held back until its window closes for new starts", () => {
    const s = state([flight("a", { updateDomain: 0 })]);
    const closing = item("late", { updateDomain: 1, windowEnd: at(20) });
    expect(decide(closing, s, now, settings)).toMatchObject({ kind: "miss", reason: expect.stringContaining("Held back until its self-service window closed") });
  });

  it("checks policies", () => {
    expect(() => parseGroupPolicy({ maxConcurrent: 0 }, "g")).toThrow(DomainError);
    expect(() => parseGroupPolicy({ maxErrors: "110%" }, "g")).toThrow(DomainError);
    expect(() => parseGroupPolicy({ updateDomainGap: "soon" }, "g")).toThrow(DomainError);
    expect(() => parseGroupPolicy({ after: ["g"] }, "g")).toThrow(DomainError);
    expect(parseGroupPolicy({ maxConcurrent: "25%", maxErrors: 0, updateDomainGap: "45m", after: ["a", "a"] }, "g")).toEqual({
      maxConcurrent: { percent: 25 }, maxErrors: { count: 0 }, updateDomainGapMs: 45 * MIN, after: ["a"], maintenanceWindow: null, autoBook: false,
    });
    expect(parseGroupPolicy({ maintenanceWindow: "tue-thu-night", autoBook: true }, "g")).toMatchObject({ maintenanceWindow: "tue-thu-night", autoBook: true });
    expect(() => parseGroupPolicy({ maintenanceWindow: "Not A Name" }, "g")).toThrow(DomainError);
    expect(findAfterCycle(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]]), "a")).toEqual(["a", "b", "c", "a"]);
    expect(findAfterCycle(new Map([["a", ["b"]], ["b", ["c"]]]), "a")).toBeNull();
  });
});

describe("plan projection", () => {
  it("runs an availability set of 3 update domains × 2 VMs one domain at a time, with the gap between", () => {
    const items = [0, 0, 1, 1, 2, 2].map((ud, i) => item(`vm${i}`, { updateDomain: ud }));
    const p = projectPlan(items, () => state(), now, settings);
    const starts = p.map((x) => (x.projectedStart!.getTime() - now.getTime()) / MIN);
    expect(starts).toEqual([0, 0, 40, 40, 80, 80]);
    expect(p[2].deferrals[0]).toContain("update domain 0");
    expect(p.every((x) => x.outcome === "start")).toBe(true);
  });

  it("projects group limits, holds and misses, and writes nothing into the state it is given", () => {
    const current = () => state([], [], [group("g", { maxConcurrent: 2 }), group("bad", { maxErrors: 0 }, 4, 1)]);
    const items = [
      ...[0, 1, 2, 3].map((i) => item(`g${i}`, { placement: null, groups: ["g"] })),
      item("held", { placement: null, groups: ["bad"] }),
      item("late", { placement: "as-9", updateDomain: 1, windowEnd: at(15) }),
      item("first", { placement: "as-9", updateDomain: 0, startAt: at(-1) }),
    ];
    const p = new Map(projectPlan(items, current, now, settings).map((x) => [x.id, x]));
    expect(["g0", "g1", "g2", "g3"].map((id) => (p.get(id)!.projectedStart!.getTime() - now.getTime()) / MIN)).toEqual([0, 0, 10, 10]);
    expect(p.get("held")).toMatchObject({ outcome: "held", projectedStart: null });
    expect(p.get("late")).toMatchObject({ outcome: "missed" });
    expect(p.get("first")?.projectedStart).toEqual(now);
    expect([...current().inFlight()]).toEqual([]);
  });
});
