import { describe, expect, it } from "vitest";
import { decideRetry, retryFailureReason, type RetryInput } from "../../src/domain/retry-policy.js";

const NOW = new Date("2026-11-25T10:00:00Z");
const base: RetryInput = {
  attempt: 1, maxAttempts: 5, now: NOW, windowEnd: null, retryAfterMs: null, random: () => 0.5, baseDelayMs: 1_000, maxDelayMs: 60_000,
};

describe("decideRetry", () => {
  it("uses full jitter under an exponentially growing ceiling", () => {
    expect(decideRetry({ ...base, attempt: 1 })).toEqual({ delayMs: 500, retryAt: new Date(NOW.getTime() + 500) });
    expect(decideRetry({ ...base, attempt: 3 })).toMatchObject({ delayMs: 2_000 });
    expect(decideRetry({ ...base, attempt: 3, random: () => 0 })).toMatchObject({ delayMs: 0 });
    expect(decideRetry({ ...base, attempt: 3, random: () => 0.999 })).toMatchObject({ delayMs: 3_996 });
  });

  it("caps the ceiling at maxDelayMs", () => {
    expect(decideRetry({ ...base, attempt: 4, maxAttempts: 50, random: () => 0.999, maxDelayMs: 5_000 })).toMatchObject({ delayMs: 4_995 });
  });

  it("never retries sooner than Retry-After", () => {
    expect(decideRetry({ ...base, retryAfterMs: 7_000 })).toMatchObject({ delayMs: 7_000 });
    expect(decideRetry({ ...base, attempt: 4, random: () => 0.99, retryAfterMs: 1_000 })).toMatchObject({ delayMs: 7_920 });
  });

  it("fails after the last allowed attempt", () => {
    expect(decideRetry({ ...base, attempt: 5 })).toEqual({ fail: "max-attempts" });
    expect(decideRetry({ ...base, attempt: 4 })).toHaveProperty("retryAt");
  });

  it("never plans an attempt at or after the self-service window end", () => {
    const windowEnd = new Date(NOW.getTime() + 600);
    expect(decideRetry({ ...base, windowEnd })).toHaveProperty("retryAt");
    expect(decideRetry({ ...base, windowEnd, retryAfterMs: 600 })).toMatchObject({ fail: "window-end", retryAfterMs: 600 });
    expect(decideRetry({ ...base, windowEnd: NOW })).toMatchObject({ fail: "window-end", retryAfterMs: null });
  });

  it("names Azure's wait when its Retry-After runs past the window", () => {
    const windowEnd = new Date(NOW.getTime() + 600_000);
    const decision = decideRetry({ ...base, windowEnd, retryAfterMs: 1_200_000 });
    if (!("fail" in decision) || decision.fail !== "window-end") throw new Error("expected a window-end failure");
    expect(retryFailureReason(decision, 1, "OperationNotAllowed: too many requests", windowEnd)).toBe(
      "Azure asked to wait 1200 s (Retry-After) before trying again, past the end of the self-service window (2026-11-25T10:10:00.000Z); last: OperationNotAllowed: too many requests",
    );
    expect(retryFailureReason({ fail: "max-attempts" }, 5, "boom", windowEnd)).toBe("Gave up after 5 attempts; last: boom");
  });
});
