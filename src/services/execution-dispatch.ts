// Wires the dispatcher to the leasing SQL and the execution use case for one process (a bree worker, a test or the
// benchmark): claims due bookings, decides misfires, admits the rest as `running`, and executes them.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type pg from "pg";
import { claimDue, LeaseLostError, releaseLeases, renewLeases, type ClaimedRow } from "../db/leases-repo.js";
import { decideMisfire } from "../domain/execution.js";
import { withTransaction } from "../db/transaction.js";
import { admitBookings, finishExecution } from "./execution-transitions.js";
import { startDispatcher, type Dispatcher } from "./dispatcher.js";
import type { MetricsSink } from "../observability/metrics.js";
import { executeBooking, type ExecutionDeps, type ExecutionGateway, type ExecutionLog, type ExecutionSettings, type RunnableBooking } from "./execution.js";

export interface ExecutionDispatchSettings extends ExecutionSettings {
  dispatchIntervalMs: number;
  leaseDurationMs: number;
  misfireGraceSeconds: number;
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

export function startExecutionDispatcher(deps: ExecutionDispatchDeps, settings: ExecutionDispatchSettings): Dispatcher {
  const owner = deps.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // The database clock, as seen at the last claim: windows and retry times are compared against it.
  let skewMs = 0;
  const execution: ExecutionDeps = {
    pool: deps.pool, gateway: deps.gateway, owner, settings, log: deps.log,
    clock: () => new Date(Date.now() + skewMs),
    random: deps.random ?? Math.random,
    metrics: deps.metrics,
  };

  async function claim(limit: number): Promise<RunnableBooking[]> {
    const rows = await claimDue(deps.pool, owner, settings.leaseDurationMs, limit);
    if (rows.length === 0) return [];
    skewMs = rows[0].db_now.getTime() - Date.now();
    for (const row of rows) if (row.previous_owner) deps.metrics?.({ type: "lease-takeover" });
    const admit: string[] = [];
    for (const row of rows.filter((r) => r.state === "scheduled")) {
      const misfire = decideMisfire(row.start_at, row.db_now, row.self_service_window_end, settings.misfireGraceSeconds);
      if (misfire.run) admit.push(row.id);
      else await markMissed(deps.pool, row.id, owner, misfire.reason).catch(ignoreLeaseLost);
    }
    const admitted = new Set(await admitBookings(deps.pool, owner, admit));
    return rows.filter((r) => r.state === "running" || admitted.has(r.id)).map(runnable);
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

/** A booking whose time passed while no replica ran, beyond the misfire rule: `missed`. */
function markMissed(pool: pg.Pool, id: string, owner: string, reason: string): Promise<void> {
  return withTransaction(pool, (client) => finishExecution(client, owner, id, "missed", reason));
}

function ignoreLeaseLost(err: unknown): void {
  if (!(err instanceof LeaseLostError)) throw err;
}
