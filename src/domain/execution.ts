// Pure rules for performing one booking: may a late booking still start, is maintenance still wanted and allowed,
// and what an operation's end means for the booking. No I/O; `now` is a parameter.
import { isPending, isSelfServiceOpen, type MaintenanceStatus } from "./maintenance.js";

/**
 * `execution_attempts.outcome`, shown as-is by the bookings API:
 * - succeeded: the operation ended Succeeded and Azure shows MaintenanceCompleted (or a re-check after an
 *   earlier attempt that may have started it shows MaintenanceCompleted);
 * - skipped: the operation Failed or Azure reports MaintenanceAborted — Azure re-plans the VM later;
 * - failed: a non-retryable error, or the retry budget / self-service window ran out;
 * - retryable-error: throttling, 5xx, network errors, RetryLater, or an attempt interrupted by a crash;
 * - not-needed: Azure no longer has maintenance pending for the VM;
 * - not-allowed-yet: Azure does not allow customer-initiated maintenance right now.
 */
export const ATTEMPT_OUTCOMES = ["succeeded", "skipped", "failed", "retryable-error", "not-needed", "not-allowed-yet"] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export type MisfireDecision = { run: true } | { run: false; reason: string };

/** A booking whose time passed while no replica ran still starts if its window is open and it is not too late. */
export function decideMisfire(startAt: Date, now: Date, windowEnd: Date | null, graceSeconds: number): MisfireDecision {
  const lateMs = now.getTime() - startAt.getTime();
  if (windowEnd && now.getTime() >= windowEnd.getTime()) {
    return { run: false, reason: `The self-service window ended at ${windowEnd.toISOString()} before the booking could start` };
  }
  if (lateMs >= graceSeconds * 1000) {
    return { run: false, reason: `Not started within ${graceSeconds} s of its start time (${Math.round(lateMs / 1000)} s late)` };
  }
  return { run: true };
}

/** What a fresh instance view says about starting maintenance now. */
export type Readiness =
  | { kind: "proceed" }
  | { kind: "not-needed"; reason: string }
  /** An earlier attempt may have started maintenance, and Azure now reports it completed. */
  | { kind: "completed" }
  | { kind: "not-allowed-yet"; reason: string };

/**
 * `priorStart`: an earlier attempt of this booking may have sent performMaintenance (it has an operation, or it was
 * interrupted). Then MaintenanceCompleted is our own result, not a reason to call the booking unneeded.
 */
export function classifyReadiness(status: MaintenanceStatus | null, now: Date, priorStart: boolean): Readiness {
  if (status?.lastOperationResultCode === "MaintenanceCompleted") {
    return priorStart ? { kind: "completed" } : { kind: "not-needed", reason: "Azure reports the maintenance already completed" };
  }
  if (!isPending(status, now)) return { kind: "not-needed", reason: "Azure no longer has maintenance pending for this VM" };
  if (!isSelfServiceOpen(status, now)) {
    return { kind: "not-allowed-yet", reason: "Azure does not allow customer-initiated maintenance for this VM right now" };
  }
  return { kind: "proceed" };
}

/** An ARM failure as the execution saw it (from ArmError), and where it happened. */
export interface ExecutionError {
  /** `start`: instance view or performMaintenance; `operation`: while following the accepted operation. */
  phase: "start" | "operation";
  statusCode: number | null;
  code: string | null;
  message: string;
  retryable: boolean;
  retryAfterMs: number | null;
}

export type Outcome =
  | { kind: "completed" }
  | { kind: "skipped"; code: string | null; message: string }
  | { kind: "failed"; reason: string }
  | { kind: "not-needed"; reason: string }
  | { kind: "retry"; attemptOutcome: "retryable-error" | "not-allowed-yet"; reason: string; retryAfterMs: number | null };

/** The operation ended Succeeded; `after` is the instance view read afterwards. */
export function classifySucceeded(after: MaintenanceStatus | null): Outcome {
  const code = after?.lastOperationResultCode;
  if (code === "MaintenanceCompleted") return { kind: "completed" };
  if (code === "MaintenanceAborted") return { kind: "skipped", code, message: after?.lastOperationMessage ?? "Azure aborted the maintenance" };
  // Azure may show the result with a delay; the next attempt re-reads it (and counts MaintenanceCompleted as ours).
  return { kind: "retry", attemptOutcome: "retryable-error", reason: "The operation succeeded but Azure does not show MaintenanceCompleted yet", retryAfterMs: null };
}

export function classifyError(error: ExecutionError, now: Date, windowEnd: Date | null): Outcome {
  const text = error.code ? `${error.code}: ${error.message}` : error.message;
  if (error.retryable) return { kind: "retry", attemptOutcome: "retryable-error", reason: text, retryAfterMs: error.retryAfterMs };
  if (error.statusCode === 409 && error.code === "OperationNotAllowed") {
    if (windowEnd && now.getTime() >= windowEnd.getTime()) return { kind: "failed", reason: `${text} (the self-service window has closed)` };
    return { kind: "retry", attemptOutcome: "not-allowed-yet", reason: text, retryAfterMs: null };
  }
  // A Failed operation has no HTTP status: Azure skips the VM in the scheduled window and plans it again later.
  if (error.phase === "operation" && error.statusCode === null) return { kind: "skipped", code: error.code, message: error.message };
  return { kind: "failed", reason: text };
}
