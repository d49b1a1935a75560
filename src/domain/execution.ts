// Pure rules for performing one booking: may a late booking still start, is maintenance still wanted and allowed,
// and what an operation's end means for the booking. No I/O; `now` is a parameter.
import { isPending, isSelfServiceOpen, type MaintenanceStatus } from "./maintenance.js";

/**
 * `execution_attempts.outcome`, shown as-is by the bookings API:
 * - succeeded: the operation ended Succeeded and Azure shows MaintenanceCompleted (or a re-check after an
 *   earlier attempt that may have started it shows MaintenanceCompleted);
 * - skipped: the operation Failed or Azure reports MaintenanceAborted — Azure re-plans the VM later;
 * - failed: a non-retryable error, or the retry budget / self-service window ran out;
 * - retryable-error: throttling, 5xx, network errors, RetryLater, an attempt interrupted by a crash, a stored
 *   operation that could not be restored (error_code OPERATION_LOST_CODE), or an operation that ended Succeeded
 *   before Azure showed MaintenanceCompleted (error_code SUCCEEDED_NOT_SHOWN_CODE);
 * - not-needed: Azure no longer has maintenance pending for the VM;
 * - not-allowed-yet: Azure does not allow customer-initiated maintenance right now.
 */
export const ATTEMPT_OUTCOMES = ["succeeded", "skipped", "failed", "retryable-error", "not-needed", "not-allowed-yet"] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/**
 * `error_code` of an attempt whose operation ended Succeeded while the instance view did not show
 * MaintenanceCompleted yet. Later attempts of the booking never send performMaintenance again (that would be a
 * second reboot); they only re-read the instance view.
 */
export const SUCCEEDED_NOT_SHOWN_CODE = "SucceededNotShownYet";

/** `error_code` of an attempt whose stored operation could not be restored: counted as "may have started". */
export const OPERATION_LOST_CODE = "OperationLost";

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
  | {
      kind: "retry";
      attemptOutcome: "retryable-error" | "not-allowed-yet";
      reason: string;
      retryAfterMs: number | null;
      /** Recorded as the attempt's error_code when no ARM error carries one. */
      code?: string;
      /** The operation ended Succeeded: when no retry is left, the booking counts as `completed`, not `failed`. */
      operationSucceeded?: true;
    };

/** The operation ended Succeeded; `after` is the instance view read afterwards. */
export function classifySucceeded(after: MaintenanceStatus | null): Outcome {
  const code = after?.lastOperationResultCode;
  if (code === "MaintenanceCompleted") return { kind: "completed" };
  if (code === "MaintenanceAborted") return { kind: "skipped", code, message: after?.lastOperationMessage ?? "Azure aborted the maintenance" };
  // Azure may show the result with a delay; the next attempt only re-reads it (SUCCEEDED_NOT_SHOWN_CODE). When the
  // retries or the window run out first, Azure's own Succeeded is trusted and the booking ends `completed`.
  return {
    kind: "retry", attemptOutcome: "retryable-error", reason: "The operation succeeded but Azure does not show MaintenanceCompleted yet",
    retryAfterMs: null, code: SUCCEEDED_NOT_SHOWN_CODE, operationSucceeded: true,
  };
}

/**
 * An operation that may have been sent can no longer be followed: its stored state cannot be restored (corrupt, or
 * from another SDK version), or it was accepted but could not be stored. The next attempt counts it as a possible
 * start (prior_start), so MaintenanceCompleted then is ours.
 */
export function classifyOperationLost(): Outcome {
  const reason = "The operation could not be followed; the next attempt re-reads the instance view";
  return { kind: "retry", attemptOutcome: "retryable-error", reason, retryAfterMs: null, code: OPERATION_LOST_CODE };
}

/** Anything the execution did not foresee (a database error, a bug): retried, so max attempts bounds it. */
export function classifyUnexpected(): Outcome {
  return { kind: "retry", attemptOutcome: "retryable-error", reason: "Unexpected internal error (details in the service log)", retryAfterMs: null };
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
