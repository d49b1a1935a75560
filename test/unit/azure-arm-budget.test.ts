import { describe, expect, it } from "vitest";
import { ARM_BUDGET, ArmBudgetLedger, TokenBucket, budgetAnswer, parseResourcePolicies } from "../../src/azure/arm-budget.js";

describe("TokenBucket", () => {
  it("spends the burst at once, then paces at the refill rate", () => {
    let now = 0;
    const bucket = new TokenBucket({ burst: 3, perSecond: 10 }, () => now);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
    // borrowed tokens queue up: 100 ms, 200 ms, 300 ms at 10/s
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([100, 200, 300]);
    now = 1000; // 10 tokens refilled, 3 were owed → 3 left... capped by burst 3
    expect(bucket.reserve()).toBe(0);
  });

  it("believes the server when it says fewer remain", () => {
    let now = 0;
    const bucket = new TokenBucket({ burst: 250, perSecond: 25 }, () => now);
    bucket.observeRemaining(0);
    expect(bucket.reserve()).toBe(40);
  });

  it("waits out a 429's Retry-After before the next request", () => {
    let now = 0;
    const bucket = new TokenBucket({ burst: 250, perSecond: 25 }, () => now);
    bucket.exhaust(2000);
    expect(bucket.reserve()).toBe(2040);
    now = 2040;
    expect(bucket.reserve()).toBeLessThanOrEqual(40);
  });
});

describe("ArmBudgetLedger", () => {
  const sub = "11111111-2222-4333-a444-555555555555";
  const perform = { subscriptionId: sub, kind: "writes" as const, operation: "performMaintenance" };
  const read = { subscriptionId: sub, kind: "reads" as const, operation: "getInstanceView" };
  const answer = (status: number, resource: string | null, retryAfter: string | null = null) =>
    budgetAnswer(status, (name) => ({ "x-ms-ratelimit-remaining-resource": resource, "retry-after": retryAfter })[name] ?? null, "writes");

  it("blocks only the operations a Compute 429's policies cover, for its Retry-After, without draining ARM's bucket", () => {
    let now = 0;
    const ledger = new ArmBudgetLedger(ARM_BUDGET, () => now);
    ledger.observe(perform, answer(202, "Microsoft.Compute/PerformMaintenanceVM3Min;3,Microsoft.Compute/PerformMaintenance3Min;499"));
    ledger.observe(perform, answer(429, "Microsoft.Compute/PerformMaintenanceVM3Min;0,Microsoft.Compute/PerformMaintenance3Min;498", "1200"));
    expect(ledger.reserveNow(read, Infinity)).toEqual({ ok: true, waitMs: 0 });
    expect(ledger.reserveNow({ ...perform, operation: "getOperation", kind: "reads" }, Infinity)).toEqual({ ok: true, waitMs: 0 });
    expect(ledger.reserveNow(perform, Infinity)).toEqual({ ok: true, waitMs: 1_200_000 });
    now = 1_200_000;
    expect(ledger.reserveNow(perform, Infinity)).toEqual({ ok: true, waitMs: 0 });
  });

  it("refuses, without reserving, a wait longer than the caller may wait, naming the policy", () => {
    let now = 0;
    const ledger = new ArmBudgetLedger({ reads: { burst: 10, perSecond: 1 }, writes: { burst: 10, perSecond: 1 } }, () => now);
    ledger.observe(perform, answer(429, "Microsoft.Compute/PerformMaintenanceVM3Min;0", "30"));
    const refused = ledger.reserveNow(perform, 10_000);
    expect(refused).toMatchObject({ ok: false, waitMs: 30_000 });
    expect(!refused.ok && refused.reason).toContain("Microsoft.Compute/PerformMaintenanceVM3Min");
    now = 30_000;
    expect(ledger.reserveNow(perform, 10_000)).toEqual({ ok: true, waitMs: 0 }); // the refusal took no token
  });

  it("empties the subscription's bucket on ARM's own 429 (no Compute policy named)", () => {
    let now = 0;
    const ledger = new ArmBudgetLedger(ARM_BUDGET, () => now);
    ledger.observe(read, { status: 429, remainingSubscription: 0, resourcePolicies: [], retryAfterMs: 2_000 });
    expect(ledger.reserveNow(read, Infinity)).toEqual({ ok: true, waitMs: 2_040 });
    expect(ledger.reserveNow(perform, Infinity)).toEqual({ ok: true, waitMs: 0 }); // writes have their own bucket
  });

  it("parses Compute's policy header", () => {
    expect(parseResourcePolicies("Microsoft.Compute/HighCostGet3Min;159, Microsoft.Compute/HighCostGet30Min;799")).toEqual([
      { policy: "Microsoft.Compute/HighCostGet3Min", remaining: 159 },
      { policy: "Microsoft.Compute/HighCostGet30Min", remaining: 799 },
    ]);
    expect(parseResourcePolicies(null)).toEqual([]);
    expect(parseResourcePolicies("garbage")).toEqual([]);
  });
});

describe("TokenBucket reserve", () => {
  it("never spends its reserve, so requests that reach Azure closer together than granted still fit", () => {
    let now = 0;
    const bucket = new TokenBucket({ burst: 10, perSecond: 5 }, () => now, 5);
    expect(Array.from({ length: 5 }, () => bucket.reserve())).toEqual([0, 0, 0, 0, 0]);
    expect(bucket.reserve()).toBe(200);
    bucket.observeRemaining(10); // the server has 10 left: 5 of them stay in reserve
    now = 10_000;
    expect(Array.from({ length: 6 }, () => bucket.reserve())).toEqual([0, 0, 0, 0, 0, 200]);
  });
});
