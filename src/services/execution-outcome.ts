// Records how an attempt ended: the attempt row, then the booking (final state, or the next attempt's due time),
// in one transaction fenced on our lease — a lost lease rolls everything back.
import { finishAttempt, markVmSkipped, type AttemptResult } from "../db/attempts-repo.js";
import { withTransaction } from "../db/transaction.js";
import { finishExecution, planRetry } from "./execution-transitions.js";
import type { BookingState } from "../domain/booking-states.js";
import type { Outcome } from "../domain/execution.js";
import { decideRetry, retryFailureReason } from "../domain/retry-policy.js";
import type { AttemptContext, ExecutionDeps } from "./execution.js";

type Final = { state: BookingState; reason: string | null; result: AttemptResult; skipped?: boolean };
type Retry = { delayMs: number; reason: string; result: AttemptResult };

function attemptResult(ctx: AttemptContext, outcome: AttemptResult["outcome"], fallbackMessage: string | null, fallbackCode: string | null = null): AttemptResult {
  const e = ctx.error;
  return { outcome, httpStatus: e?.statusCode ?? null, errorCode: e?.code ?? fallbackCode, errorMessage: e?.message ?? fallbackMessage };
}

/** Turns the domain's outcome (and, for a retry, the retry policy's decision) into what to write. */
export function planWrite(deps: ExecutionDeps, ctx: AttemptContext, outcome: Outcome): Final | Retry {
  switch (outcome.kind) {
    case "completed":
      return { state: "completed", reason: null, result: attemptResult(ctx, "succeeded", null) };
    case "not-needed":
      return { state: "not-needed", reason: outcome.reason, result: attemptResult(ctx, "not-needed", outcome.reason) };
    case "skipped": {
      const reason = `${outcome.code ?? "Skipped"}: ${outcome.message}`;
      const result = { outcome: "skipped" as const, httpStatus: ctx.error?.statusCode ?? null, errorCode: outcome.code, errorMessage: outcome.message };
      return { state: "skipped", reason, result, skipped: true };
    }
    case "failed":
      return { state: "failed", reason: outcome.reason, result: attemptResult(ctx, "failed", outcome.reason) };
    case "retry": {
      const result = attemptResult(ctx, outcome.attemptOutcome, outcome.reason, outcome.code);
      const decision = decideRetry({
        attempt: ctx.attempt.number,
        maxAttempts: deps.settings.maxAttempts,
        now: deps.clock(),
        windowEnd: ctx.windowEnd,
        retryAfterMs: outcome.retryAfterMs,
        random: deps.random,
        baseDelayMs: deps.settings.retryBaseDelayMs,
        maxDelayMs: deps.settings.retryMaxDelayMs,
      });
      if ("fail" in decision && outcome.operationSucceeded) {
        // Azure said Succeeded and nothing may be sent again; its lagging instance view is not a failure.
        const reason = "The operation succeeded; Azure did not show MaintenanceCompleted before the last attempt";
        return { state: "completed", reason, result: attemptResult(ctx, "succeeded", reason, outcome.code) };
      }
      if ("fail" in decision) return { state: "failed", reason: retryFailureReason(decision, ctx.attempt.number, outcome.reason, ctx.windowEnd), result };
      return { delayMs: decision.delayMs, reason: `Retrying: ${outcome.reason}`, result };
    }
  }
}

export async function persistOutcome(deps: ExecutionDeps, ctx: AttemptContext, outcome: Outcome): Promise<void> {
  const { booking, attempt } = ctx;
  const write = planWrite(deps, ctx, outcome);
  await withTransaction(deps.pool, async (client) => {
    await finishAttempt(client, attempt.id, booking.id, deps.owner, write.result);
    const after = { attempt: attempt.number, outcome: write.result.outcome, errorCode: write.result.errorCode };
    if ("delayMs" in write) {
      await planRetry(client, deps.owner, booking.id, { inMs: write.delayMs, keepOperation: ctx.operationPending }, write.reason, { ...after, retryInMs: write.delayMs });
      return;
    }
    if (write.skipped) await markVmSkipped(client, booking.virtualMachineId);
    await finishExecution(client, deps.owner, booking.id, write.state, write.reason, after);
  });
  if (!("delayMs" in write)) deps.metrics?.({ type: "execution-finished", outcome: write.state });
  const fields = { bookingId: booking.id, attempt: attempt.number, outcome: write.result.outcome };
  if ("delayMs" in write) deps.log?.info({ ...fields, retryInMs: write.delayMs, reason: write.reason }, "booking attempt will be retried");
  else deps.log?.info({ ...fields, state: write.state, reason: write.reason }, "booking finished");
}
