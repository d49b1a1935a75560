// Wires the dispatcher to the leasing SQL, the planner and the execution use case for one process (a bree worker,
// a test or the benchmark): claims due bookings, decides misfires, lets the planner admit, defer, miss or hold
// them, and executes those admitted.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type pg from "pg";
import { claimDue, releaseLeases, renewLeases, type ClaimedRow } from "../db/leases-repo.js";
import { decideMisfire } from "../domain/execution.js";
import { withTransaction } from "../db/transaction.js";
import { applyPlan } from "./execution-transitions.js";
import { PLANNER_LOCK, planAdmissions, type PlannerConfig } from "./planner-claim.js";
import { startDispatcher, type Dispatcher } from "./dispatcher.js";
import { executionWrites } from "./execution-writes.js";
import type { MetricsSink } from "../observability/metrics.js";
import { executeBooking, type ExecutionDeps, type ExecutionGateway, type ExecutionLog, type ExecutionSettings, type RunnableBooking } from "./execution.js";

export interface ExecutionDispatchSettings extends ExecutionSettings {
  dispatchIntervalMs: number;
  leaseDurationMs: number;
  misfireGraceSeconds: number;
  /** UPDATE_DOMAIN_GAP and BOOKING_END_MARGIN_SECONDS (defaults: 30 minutes and 30 minutes). */
  planner?: Partial<PlannerConfig>;
  claimBatch?: number;
  maxInFlight?: number;
  startsPerSubscription?: number;
}

export interface ExecutionDispatchDeps {
  pool: pg.Pool;
  gateway: ExecutionGateway;
  log?: ExecutionLog;
  /** Default: host, pid and a random suffix — unique per dispatcher, so a restarted process never reuses a lease. */
  owner?: string;
  random?: () => number;
  metrics?: MetricsSink;
}

/** Production retry pacing: 5 s doubling to at most 5 min, before full jitter. */
export const RETRY_DELAYS = { retryBaseDelayMs: 5_000, retryMaxDelayMs: 300_000 };

function runnable(row: ClaimedRow): RunnableBooking {
  return {
    id: row.id,
    virtualMachineId: row.virtual_machine_id,
    startAt: row.start_at,
    vm: { subscriptionId: row.subscription_id, resourceGroup: row.resource_group, name: row.name, scaleSetName: row.scale_set_name, scaleSetInstanceId: row.scale_set_instance_id },
    operationState: row.operation_state,
    selfServiceWindowEnd: row.self_service_window_end,
  };
}

/**
 * One transaction under the planner's lock: lease the due bookings, end those past the misfire rule (lateness
 * counts from a deferral's time, not the booked one), let the planner decide on the rest, carry it out. Returns
 * the bookings to execute (admitted now, or running ones whose next attempt is due) and the database clock.
 */
export async function claimAndPlan(
  pool: pg.Pool, owner: string, settings: Pick<ExecutionDispatchSettings, "leaseDurationMs" | "misfireGraceSeconds">, planner: PlannerConfig, limit: number,
): Promise<{ rows: ClaimedRow[]; dbNow: Date | null }> {
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [PLANNER_LOCK]);
    const claimed = await claimDue(client, owner, settings.leaseDurationMs, limit);
    if (claimed.length === 0) return { rows: [], dbNow: null };
    const now = claimed[0].db_now;
    const late: { id: string; reason: string }[] = [];
    const due: string[] = [];
    for (const row of claimed.filter((r) => r.state === "scheduled")) {
      const misfire = decideMisfire(row.deferred_until ?? row.start_at, now, row.self_service_window_end, settings.misfireGraceSeconds);
      if (misfire.run) due.push(row.id);
      else late.push({ id: row.id, reason: misfire.reason });
    }
    const plan = await planAdmissions(client, due, now, planner);
    const admitted = new Set(await applyPlan(client, owner, plan, late));
    return { rows: claimed.filter((r) => r.state === "running" || admitted.has(r.id)), dbNow: now };
  });
}

export function startExecutionDispatcher(deps: ExecutionDispatchDeps, settings: ExecutionDispatchSettings): Dispatcher {
  const owner = deps.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // The database clock, as seen at the last claim: windows and retry times are compared against it.
  let skewMs = 0;
  const planner: PlannerConfig = { updateDomainGapMs: 30 * 60_000, endMarginMs: 30 * 60_000, ...settings.planner };
  const execution: ExecutionDeps = {
    pool: deps.pool, gateway: deps.gateway, owner, settings, log: deps.log,
    writes: executionWrites(deps.pool, owner),
    clock: () => new Date(Date.now() + skewMs),
    random: deps.random ?? Math.random,
    metrics: deps.metrics,
  };

  async function claim(limit: number): Promise<RunnableBooking[]> {
    const { rows, dbNow } = await claimAndPlan(deps.pool, owner, settings, planner, limit);
    if (dbNow) skewMs = dbNow.getTime() - Date.now();
    for (const row of rows) if (row.previous_owner) deps.metrics?.({ type: "lease-takeover" });
    return rows.map(runnable);
  }

  return startDispatcher({
    claim,
    execute: (booking, control) => executeBooking(execution, booking, control),
    renew: (ids) => renewLeases(deps.pool, owner, settings.leaseDurationMs, ids),
    releaseAll: () => releaseLeases(deps.pool, owner),
    intervalMs: settings.dispatchIntervalMs,
    heartbeatMs: Math.max(50, Math.floor(settings.leaseDurationMs / 3)),
    leaseMs: settings.leaseDurationMs,
    claimBatch: settings.claimBatch ?? 100,
    maxInFlight: settings.maxInFlight ?? 2_000,
    startsPerSubscription: settings.startsPerSubscription ?? 8,
    log: deps.log,
  });
}


