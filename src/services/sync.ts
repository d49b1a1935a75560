// The sync use case: list every VM of every configured subscription, read the instance views that are due
// (src/domain/instance-view-reads.ts), and record what changed. Shared by `POST /v1/sync-runs` and the scheduled
// sync job.
import pLimit from "p-limit";
import type pg from "pg";
import type { AzureGateway, ArmVirtualMachine } from "../azure/gateway.js";
import { ArmError } from "../azure/gateway.js";
import { armKey } from "../domain/arm-names.js";
import { DEFAULT_SWEEP_INTERVAL_MS, decideRead, type ReadDecision, type ReadPolicy } from "../domain/instance-view-reads.js";
import { isPending } from "../domain/maintenance.js";
import type { MetricsSink } from "../observability/metrics.js";
import { markGone, recordObservations, storedVmStates, type ObservedVm, type StoredVmState } from "../db/observations-repo.js";
import type { AuditContext } from "../db/audit-repo.js";
import { appendEvents } from "../db/outbox-repo.js";
import { withTransaction } from "../db/transaction.js";
import { syncRunJson } from "../representations.js";
import { finishRun, findRunningRun, startRun, tryTakeSyncLock, type SyncRunResult, type SyncRunRow } from "../db/sync-runs-repo.js";

const SUBSCRIPTIONS_IN_PARALLEL = 4;

export interface SyncDeps {
  pool: pg.Pool;
  gateway: AzureGateway;
  subscriptionIds: readonly string[];
  /** Parallel instance-view reads per subscription. */
  concurrency: number;
  /** SYNC_SWEEP_INTERVAL: VMs without pending maintenance or an active booking are re-read this often (default 6 h). */
  sweepIntervalMs?: number;
  /** App clock for read times and sweep slots; default `new Date()`. */
  clock?: () => Date;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Called after a run's data is written (e.g. to re-check bookings); its failure is logged, not fatal. */
  afterSync?: (run: SyncRunRow) => Promise<void>;
  metrics?: MetricsSink;
}

export interface SyncRequest {
  run: SyncRunRow;
  /** False when another sync was already running: `run` is that one. */
  started: boolean;
  /** Settles when the run this request started has finished (resolves at once when `started` is false). */
  finished: Promise<SyncRunRow>;
}

/**
 * Starts a sync unless one is running anywhere (advisory lock); either way answers with the running one.
 * The run itself continues in the background; await `finished` to wait for it. `audit`: who asked (API);
 * jobs are recorded as `system:<trigger>`.
 */
export async function requestSync(deps: SyncDeps, trigger: "api" | "schedule" | "startup", audit?: AuditContext, options: { full?: boolean } = {}): Promise<SyncRequest> {
  // The lock winner inserts its row right after locking; a loser may look before that row exists, so it retries.
  for (let attempt = 0; attempt < 50; attempt++) {
    const lock = await tryTakeSyncLock(deps.pool);
    if (lock) {
      let run: SyncRunRow;
      try {
        run = await startRun(deps.pool, trigger, options.full ?? false, audit);
      } catch (error) {
        await lock.release();
        throw error;
      }
      const finished = executeRun(deps, run).finally(() => lock.release());
      finished.catch(() => undefined); // failures are recorded on the run; don't crash on an unawaited promise
      return { run, started: true, finished };
    }
    const running = await findRunningRun(deps.pool);
    if (running) return { run: running, started: false, finished: Promise.resolve(running) };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("Could not take or find the running sync");
}

async function executeRun(deps: SyncDeps, run: SyncRunRow): Promise<SyncRunRow> {
  const requestsBefore = deps.gateway.requestCount();
  const totals: SyncRunResult = {
    status: "succeeded", vmsSeen: 0, windowsNew: 0, windowsChanged: 0, windowsCleared: 0, vmsGone: 0, armRequests: 0,
    instanceViewsRead: 0, instanceViewsSkipped: 0, errors: [],
  };
  const policy: ReadPolicy = { sweepIntervalMs: deps.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS, full: run.full };
  // ARM budgets are per subscription, so subscriptions are listed side by side; each fails on its own.
  const bySubscription = pLimit(SUBSCRIPTIONS_IN_PARALLEL);
  let listingsFailed = 0;
  await Promise.all(
    deps.subscriptionIds.map((subscriptionId) =>
      bySubscription(async () => {
        try {
          await syncSubscription(deps, run, subscriptionId, totals, policy);
        } catch (error) {
          listingsFailed++;
          totals.errors.push({ subscriptionId, code: error instanceof ArmError ? error.code : null, message: error instanceof Error ? error.message : String(error) });
          deps.log?.warn({ err: error, subscriptionId, syncRunId: run.id }, "sync of a subscription failed");
        }
      }),
    ),
  );
  totals.status = listingsFailed === deps.subscriptionIds.length && listingsFailed > 0 ? "failed" : totals.errors.length ? "partial" : "succeeded";
  totals.armRequests = deps.gateway.requestCount() - requestsBefore;
  const finished = await withTransaction(deps.pool, async (client) => {
    const row = await finishRun(client, run.id, totals);
    if (row.status === "failed" || row.status === "partial") {
      await appendEvents(client, [{ name: "sync.failed", source: "/v1/sync-runs", subject: row.id, data: { syncRun: syncRunJson(row) }, subscriptionId: null, resourceGroup: null }]);
    }
    return row;
  });
  deps.log?.info({ syncRun: finished }, "sync finished");
  deps.metrics?.({
    type: "sync-finished",
    durationSeconds: ((finished.finishedAt?.getTime() ?? Date.now()) - finished.startedAt.getTime()) / 1000,
    status: finished.status,
    windowsNew: finished.windowsNew,
    windowsChanged: finished.windowsChanged,
    windowsCleared: finished.windowsCleared,
    vmsGone: finished.vmsGone,
  });
  if (deps.afterSync) await deps.afterSync(finished).catch((err) => deps.log?.warn({ err }, "after-sync step failed"));
  return finished;
}

/** Per subscription: instance views that could not be read; those VMs keep their stored status (unknown stays unknown). */
interface ReadFailures {
  count: number;
  first: ArmError | null;
}

async function syncSubscription(deps: SyncDeps, run: SyncRunRow, subscriptionId: string, totals: SyncRunResult, policy: ReadPolicy) {
  const limit = pLimit(deps.concurrency); // per subscription: each has its own read budget
  const clock = deps.clock ?? (() => new Date());
  const seen = new Set<string>();
  const failures: ReadFailures = { count: 0, first: null };
  for await (const page of deps.gateway.listVirtualMachines(subscriptionId)) {
    const fresh = page.filter((vm) => !seen.has(armKey(vm.resourceId)));
    fresh.forEach((vm) => seen.add(armKey(vm.resourceId)));
    const stored = await storedVmStates(deps.pool, fresh.map((vm) => armKey(vm.resourceId)));
    const now = clock();
    const decisions = fresh.map((vm) => readDecision(vm, stored.get(armKey(vm.resourceId)) ?? null, now, policy));
    const observed = await Promise.all(fresh.map((vm, i) => limit(() => observe(deps.gateway, vm, decisions[i], clock, failures))));
    const counts = await recordObservations(deps.pool, run.id, observed);
    totals.vmsSeen += observed.length;
    totals.windowsNew += counts.appeared;
    totals.windowsChanged += counts.changed;
    totals.windowsCleared += counts.cleared;
    totals.instanceViewsRead += decisions.filter((d) => d === "read").length;
    totals.instanceViewsSkipped += decisions.filter((d) => d === "skip").length;
  }
  // Only a subscription listed to the end may mark VMs gone: a failed listing would mark the unread rest.
  // Not `totals.vmsGone += await …`: that reads the total before awaiting, losing a parallel subscription's count.
  const gone = await markGone(deps.pool, subscriptionId, run.startedAt);
  totals.vmsGone += gone;
  if (failures.count) {
    const first = failures.first!;
    const message = `${failures.count} instance view(s) could not be read; those VMs keep the maintenance last read. First: ${first.message}`;
    totals.errors.push({ subscriptionId, code: first.code, message });
  }
}

function readDecision(vm: ArmVirtualMachine, stored: StoredVmState | null, now: Date, policy: ReadPolicy): ReadDecision {
  const state = stored && { maintenanceReadAt: stored.maintenanceReadAt, pending: isPending(stored.maintenance, now), activeBooking: stored.activeBooking };
  return decideRead(armKey(vm.resourceId), vm.instanceView !== null, state, now, policy);
}

/** The listed VM with the instance view the decision calls for; a failed read leaves it unread (never "none"). */
async function observe(gateway: AzureGateway, vm: ArmVirtualMachine, decision: ReadDecision, clock: () => Date, failures: ReadFailures): Promise<ObservedVm> {
  if (decision === "carried") return { ...vm, readAt: clock() };
  if (decision === "skip") return { ...vm, readAt: null };
  const readAt = clock();
  try {
    return { ...vm, instanceView: await gateway.getInstanceView(vm), readAt };
  } catch (error) {
    // Deleted between the listing and the read: the next listing marks it gone.
    if (error instanceof ArmError && error.statusCode === 404) return { ...vm, readAt: null };
    if (!(error instanceof ArmError)) throw error;
    failures.count++;
    failures.first ??= error;
    return { ...vm, readAt: null };
  }
}
