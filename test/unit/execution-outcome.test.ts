import { describe, expect, it } from "vitest";
import { classifySucceeded } from "../../src/domain/execution.js";
import { planWrite } from "../../src/services/execution-outcome.js";
import type { AttemptContext, ExecutionDeps } from "../../src/services/execution.js";

const NOW = new Date("2026-11-25T10:00:00Z");
const deps = { settings: { maxAttempts: 3, retryBaseDelayMs: 1_000, retryMaxDelayMs: 10_000 }, clock: () => NOW, random: () => 0.5 } as unknown as ExecutionDeps;
const ctx = (number: number): AttemptContext =>
  ({ attempt: { id: "a", number, prior_start: true, operation_succeeded: number > 1 }, windowEnd: null, operationPending: false, sent: false, error: null }) as unknown as AttemptContext;

describe("planWrite after a Succeeded operation Azure does not show yet", () => {
  const stale = classifySucceeded(null);

  it("retries while attempts remain, recording why", () => {
    expect(planWrite(deps, ctx(1), stale)).toMatchObject({ delayMs: expect.any(Number), result: { outcome: "retryable-error", errorCode: "SucceededNotShownYet" } });
  });

  it("trusts Azure's Succeeded when no attempt is left: completed, not failed", () => {
    expect(planWrite(deps, ctx(3), stale)).toMatchObject({ state: "completed", result: { outcome: "succeeded" } });
  });
});
