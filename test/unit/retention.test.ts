import { describe, expect, it } from "vitest";
import { resumeRefusal, retentionCutoffs } from "../../src/domain/retention.js";

describe("retentionCutoffs", () => {
  it("goes back each retention from now", () => {
    const now = new Date("2026-11-28T12:00:00Z");
    expect(retentionCutoffs(now, { outboxMs: 30 * 86_400_000, idempotencyKeyMs: 7 * 86_400_000 })).toEqual({
      outbox: new Date("2026-10-29T12:00:00Z"), idempotencyKeys: new Date("2026-11-21T12:00:00Z"),
    });
  });
});

describe("resumeRefusal", () => {
  it.each([
    // lastEventId, last, stored after it, replayMax → refusal
    [10, 15, 5, 5, null],
    [15, 15, 0, 5, null],
    [16, 15, 0, 5, "unknown"],
    [9, 15, 6, 5, "too-many"],
    [10, 15, 4, 5, "pruned"],
    [0, 3, 1, 1000, "pruned"],
  ])("after %i with last %i, %i stored, replay max %i: %s", (lastEventId, last, stored, replayMax, refusal) => {
    expect(resumeRefusal(lastEventId, last, stored, replayMax)).toBe(refusal);
  });
});
