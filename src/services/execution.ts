// Performing one claimed booking, one attempt per call: re-read the instance view, start (or resume) Azure's
// performMaintenance, follow it to the end and record the outcome. Every write is fenced on our lease; when the
// lease is lost or the process stops, the attempt ends at a safe point (operation stored) without writing more.
import type pg from "pg";
import { ArmError, type InstanceViewFacts, type MaintenanceGateway, type MaintenanceOperation, type VmRef } from "../azure/gateway.js";
import { discardAttempt, findOpenOperationAttempt, startAttempt, type AttemptRow } from "../db/attempts-repo.js";
import { LeaseLostError, storeOperation } from "../db/leases-repo.js";
import {
  classifyError, classifyOperationLost, classifyReadiness, classifySucceeded, classifyUnexpected, type ExecutionError, type Outcome,
} from "../domain/execution.js";
import type { MetricsSink } from "../observability/metrics.js";
import { persistOutcome } from "./execution-outcome.js";
import type { ExecutionWrites } from "./execution-writes.js";

export interface ExecutionGateway extends MaintenanceGateway {
  getInstanceView(vm: VmRef): Promise<InstanceViewFacts>;
}

export interface ExecutionSettings {
  maxAttempts: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
}

export interface ExecutionLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ExecutionDeps {
  pool: pg.Pool;
  /** Paces its requests to ARM's per-subscription budgets itself (src/azure/arm-budget.ts). */
  gateway: ExecutionGateway;
  owner: string;
  /** Instance views and attempt ends, group-committed across executions (executionWrites). */
  writes: ExecutionWrites;
  settings: ExecutionSettings;
  /** The database clock: all due and window comparisons use it (see execution-dispatch.ts). */
  clock: () => Date;
  random: () => number;
  log?: ExecutionLog;
  metrics?: MetricsSink;
}

/** A claimed booking that is `running` and leased by us. */
export interface RunnableBooking {
  id: string;
  virtualMachineId: string;
  startAt: Date;
  vm: VmRef;
  /** Serialized poller of an operation an earlier attempt started: resume it, never start another. */
  operationState: string | null;
  /** Self-service window end as last synced; the instance view read by the attempt replaces it. */
  selfServiceWindowEnd: Date | null;
}

export interface ExecutionControl {
  /** Runs the start phase (instance view → performMaintenance → operation stored) under the subscription's limit. */
  startSlot<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Whether our lease surely holds for a while yet. When renewals fail (a database outage) it runs out while the
   * work goes on; the last safe point refuses to send performMaintenance on a lease another owner may hold.
   */
  leaseSafe(): boolean;
  /** Aborted on graceful stop or when the heartbeat finds the lease gone. */
  signal: AbortSignal;
}

/** The attempt reached a safe point and stops without writing (the dispatcher releases or lost the lease). */
class Stopped extends Error {}

/** Everything one attempt learns, for persisting its outcome. */
export interface AttemptContext {
  booking: RunnableBooking;
  attempt: AttemptRow;
  windowEnd: Date | null;
  /** An accepted operation that has not ended: a retry resumes polling it. */
  operationPending: boolean;
  /** This attempt's performMaintenance was accepted by ARM. */
  sent: boolean;
  error: ExecutionError | null;
}

export async function executeBooking(deps: ExecutionDeps, booking: RunnableBooking, control: ExecutionControl): Promise<void> {
  try {
    const { ctx, outcome } = await runAttempt(deps, booking, control);
    await persistOutcome(deps, ctx, outcome);
  } catch (err) {
    if (err instanceof Stopped || control.signal.aborted) return;
    if (err instanceof LeaseLostError) return deps.log?.warn({ bookingId: booking.id }, err.message);
    // Nothing recorded (the database failed us): the heartbeat stops renewing this lease, so it expires and the
    // next owner closes the open attempt as Interrupted — max attempts still applies.
    throw err;
  }
}

async function runAttempt(deps: ExecutionDeps, booking: RunnableBooking, control: ExecutionControl): Promise<{ ctx: AttemptContext; outcome: Outcome }> {
  const { attempt, operation, lost } = await beginAttempt(deps, booking, control);
  const ctx: AttemptContext = { booking, attempt, windowEnd: booking.selfServiceWindowEnd, operationPending: false, sent: false, error: null };
  if (lost !== null) {
    deps.log?.warn({ err: lost, bookingId: booking.id }, "stored operation could not be restored");
    return { ctx, outcome: classifyOperationLost() };
  }
  let stage: "start" | "operation" | "after" = operation ? "operation" : "start";
  try {
    // An earlier attempt's operation ended Succeeded: sending again would be a second reboot; only re-read.
    if (attempt.operation_succeeded) return { ctx, outcome: await afterSucceeded(deps, ctx) };
    let followed = operation;
    if (!followed) {
      const started = await control.startSlot(() => startPhase(deps, ctx, control));
      if (!("wait" in started)) return { ctx, outcome: started };
      followed = started;
      stage = "operation";
    }
    await untilStopped(followed.wait(), control.signal);
    stage = "after";
    return { ctx, outcome: await afterSucceeded(deps, ctx) };
  } catch (err) {
    // Stopped before anything was sent: the attempt did nothing, so it leaves no trace (and burns no attempt).
    if (err instanceof Stopped && !operation && !ctx.sent) await discardAttempt(deps.pool, attempt.id, booking.id, deps.owner);
    if (err instanceof Stopped || err instanceof LeaseLostError) throw err;
    if (!(err instanceof ArmError)) {
      deps.log?.error({ err, bookingId: booking.id, attempt: attempt.number }, "booking attempt failed unexpectedly");
      ctx.operationPending = stage === "operation";
      // Sent but not stored (the database failed us): lost, so the next attempt does not re-send blindly.
      return { ctx, outcome: stage === "start" && ctx.sent ? classifyOperationLost() : classifyUnexpected() };
    }
    // Only a failure to poll (an HTTP status, or no response) leaves the operation running in Azure: the retry
    // resumes it. A Failed operation has ended and is never retryable (arm-errors.ts): it is not followed again.
    ctx.operationPending = stage === "operation" && err.retryable;
    const phase = stage === "operation" ? "operation" : "start";
    ctx.error = { phase, statusCode: err.statusCode, code: err.code, message: err.message, retryable: err.retryable, retryAfterMs: err.retryAfterMs };
    return { ctx, outcome: classifyError(ctx.error, deps.clock(), ctx.windowEnd) };
  }
}

/**
 * Opens the attempt row, restoring a stored operation first. A state that cannot be restored (corrupt, or from
 * another SDK version) is reported as `lost` and recorded, instead of escaping with no attempt written.
 */
async function beginAttempt(deps: ExecutionDeps, booking: RunnableBooking, control: ExecutionControl): Promise<{ attempt: AttemptRow; operation: MaintenanceOperation | null; lost: unknown }> {
  if (!booking.operationState) {
    // Checked inside the slot: a stop that came while waiting for it leaves no attempt behind.
    const attempt = await control.startSlot(() => (notStopped(control.signal), startAttempt(deps.pool, booking.id, deps.owner, null)));
    return { attempt, operation: null, lost: null };
  }
  let operation: MaintenanceOperation | null = null;
  let lost: unknown = null;
  try {
    operation = deps.gateway.resumeMaintenance(booking.vm, booking.operationState);
  } catch (err) {
    lost = err ?? new Error("resumeMaintenance failed");
  }
  const attempt = (await findOpenOperationAttempt(deps.pool, booking.id)) ?? (await startAttempt(deps.pool, booking.id, deps.owner, operation?.operationId ?? null));
  return { attempt, operation, lost };
}

/**
 * Reads the VM's instance view and records it as a sync would (status, window history), so the VM shows what Azure
 * answered at once — MaintenanceCompleted right after the operation, not after the next sync.
 */
async function readInstanceView(deps: ExecutionDeps, ctx: AttemptContext): Promise<InstanceViewFacts> {
  const readAt = deps.clock();
  const view = await deps.gateway.getInstanceView(ctx.booking.vm);
  await deps.writes.recordInstanceView({ virtualMachineId: ctx.booking.virtualMachineId, view, readAt });
  ctx.windowEnd = view.maintenance?.selfServiceWindow.end ?? ctx.windowEnd;
  return view;
}

/** The operation (this attempt's or an earlier one's) ended Succeeded: the instance view says what came of it. */
async function afterSucceeded(deps: ExecutionDeps, ctx: AttemptContext): Promise<Outcome> {
  return classifySucceeded((await readInstanceView(deps, ctx)).maintenance);
}

/** Instance view first; performMaintenance only when Azure shows maintenance pending and allowed right now. */
async function startPhase(deps: ExecutionDeps, ctx: AttemptContext, control: ExecutionControl): Promise<Outcome | MaintenanceOperation> {
  const { signal } = control;
  const { booking, attempt } = ctx;
  notStopped(signal);
  const view = await readInstanceView(deps, ctx);
  const readiness = classifyReadiness(view.maintenance, deps.clock(), attempt.prior_start);
  if (readiness.kind === "completed") return { kind: "completed" };
  if (readiness.kind === "not-needed") return readiness;
  if (readiness.kind === "not-allowed-yet") return { kind: "retry", attemptOutcome: "not-allowed-yet", reason: readiness.reason, retryAfterMs: null };
  notStopped(signal); // the last safe point before anything is sent that must be followed
  // A lease we can no longer vouch for may be another owner's by now: sending would risk a second reboot.
  if (!control.leaseSafe()) throw new Stopped();
  const operation = await deps.gateway.startMaintenance(booking.vm);
  ctx.sent = true;
  if (attempt.number === 1) deps.metrics?.({ type: "dispatch-lag", seconds: (deps.clock().getTime() - booking.startAt.getTime()) / 1000 });
  // Stored before anyone waits on it: a new owner after a crash resumes this operation instead of starting another.
  await storeOperation(deps.pool, booking.id, deps.owner, attempt.id, operation.state, operation.operationId);
  return operation;
}

function notStopped(signal: AbortSignal): void {
  if (signal.aborted) throw new Stopped();
}

/** Waits for `work` unless stopped first; the operation stays stored, so whoever resumes polls it again. */
async function untilStopped<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  // Attached before anything can throw: after a stop the work still settles in the background, unobserved.
  work.catch(() => undefined);
  notStopped(signal);
  let onAbort: () => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Stopped());
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work, stopped]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
