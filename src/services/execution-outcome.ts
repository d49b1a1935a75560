// Records how an attempt ended: the attempt row, then the booking (final state, or the next attempt's due time),
// fenced on our lease — a booking whose lease is lost writes nothing. Ends of many attempts are group-committed.
import type pg from "pg";
import { finishAttempts, markVmsSkipped, type AttemptResult } from "../db/attempts-repo.js";
import { LeaseLostError } from "../db/leases-repo.js";
import { withTransaction } from "../db/transaction.js";
import { settleExecutions, type ExecutionMove } from "./execution-transitions.js";
import type { Settled } from "./group-commit.js";
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

/** What one attempt's end writes: its attempt row and its booking's move (plus the VM's skipped mark). */
export interface OutcomeWrite {
  bookingId: string;
  virtualMachineId: string;
  attemptId: string;
  result: AttemptResult;
  move: ExecutionMove;
  skipped: boolean;
}

/**
 * Writes the ends of attempts of bookings we lease, set-based in one transaction: the attempt rows first (which
 * locks the bookings and checks the lease under the lock; the booking's event then shows its attempt ended), the
 * skipped marks and the moves. A booking whose lease is gone writes nothing and answers LeaseLostError.
 */
export async function persistOutcomes(pool: pg.Pool, owner: string, writes: OutcomeWrite[]): Promise<Settled<void>[]> {
  return withTransaction(pool, async (client) => {
    const written = await finishAttempts(client, owner, writes.map((w) => ({ ...w.result, attemptId: w.attemptId, bookingId: w.bookingId })));
    const moving = writes.filter((w) => written.has(w.bookingId));
    await markVmsSkipped(client, moving.filter((w) => w.skipped).map((w) => w.virtualMachineId));
    const moved = await settleExecutions(client, owner, moving.map((w) => w.move));
    const ok = new Set(moving.filter((_, i) => moved[i]).map((w) => w.bookingId));
    return writes.map((w): Settled<void> => (ok.has(w.bookingId) ? { ok: true, value: undefined } : { ok: false, error: new LeaseLostError(w.bookingId) }));
  });
}

/** The write for an attempt's outcome (for persistOutcomes). */
export function outcomeWrite(deps: ExecutionDeps, ctx: AttemptContext, outcome: Outcome): { write: OutcomeWrite; final: boolean } {
  const { booking, attempt } = ctx;
  const plan = planWrite(deps, ctx, outcome);
  const after = { attempt: attempt.number, outcome: plan.result.outcome, errorCode: plan.result.errorCode };
  const move: ExecutionMove =
    "delayMs" in plan
      ? { id: booking.id, to: "running", reason: plan.reason, retry: { inMs: plan.delayMs, keepOperation: ctx.operationPending }, after: { ...after, retryInMs: plan.delayMs } }
      : { id: booking.id, to: plan.state, reason: plan.reason, after };
  const skipped = !("delayMs" in plan) && plan.skipped === true;
  return { write: { bookingId: booking.id, virtualMachineId: booking.virtualMachineId, attemptId: attempt.id, result: plan.result, move, skipped }, final: !("delayMs" in plan) };
}

export async function persistOutcome(deps: ExecutionDeps, ctx: AttemptContext, outcome: Outcome): Promise<void> {
  const { write, final } = outcomeWrite(deps, ctx, outcome);
  await deps.writes.persistOutcome(write);
  if (final) deps.metrics?.({ type: "execution-finished", outcome: write.move.to });
  const fields = { bookingId: ctx.booking.id, attempt: ctx.attempt.number, outcome: write.result.outcome };
  if (write.move.retry) deps.log?.info({ ...fields, retryInMs: write.move.retry.inMs, reason: write.move.reason }, "booking attempt will be retried");
  else deps.log?.info({ ...fields, state: write.move.to, reason: write.move.reason }, "booking finished");
}
