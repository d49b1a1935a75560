// The sync against a throttling ARM: client-side pacing follows the server's remaining-budget headers, so a
// fleet larger than the burst syncs without a single 429.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { syncNow } from "../helpers/sync.js";

describe("sync under ARM throttling", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({
      simulator: {
        fleet: { subscriptions: 1, vmsPerSubscription: 60, seed: 3 },
        pageSize: 20,
        listIncludesInstanceView: false, // one instance-view read per VM: 64 reads against a burst of 20
        throttle: { reads: { burst: 20, perSecond: 25 }, writes: { burst: 10, perSecond: 10 } },
      },
    });
  });
  afterAll(() => ctx?.close());

  it("spends the read budget at its refill rate without 429s", async () => {
    const started = Date.now();
    const run = await syncNow(ctx.http);
    const elapsed = (Date.now() - started) / 1000;
    const reads = ctx.sim.requests();
    expect(run).toMatchObject({ status: "succeeded", vmsSeen: 60 });
    expect(reads.filter((r) => r.status === 429)).toEqual([]);
    // (64 reads = 3 list pages + 1 scale-set list + 60 instance views; - 20 burst) / 25 per s ≈ 1.8 s
    expect(elapsed).toBeGreaterThan(1.5);
    expect(reads.length).toBe(64);
  });
});
