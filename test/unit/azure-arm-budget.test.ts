import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../src/azure/arm-budget.js";

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
