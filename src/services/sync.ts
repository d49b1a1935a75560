// The sync use case: list every VM of every configured subscription, fill in instance views the list did not
// carry, and record what changed. Shared by `POST /v1/sync-runs` and the scheduled sync job.
import pLimit from "p-limit";
import type pg from "pg";
import type { AzureGateway, ArmVirtualMachine } from "../azure/gateway.js";
import { ArmError } from "../azure/gateway.js";
import { armKey } from "../domain/arm-names.js";
import type { MetricsSink } from "../observability/metrics.js";
import { markGone, recordObservations, type ObservedVm } from "../db/observations-repo.js";
import type { AuditContext } from "../db/audit-repo.js";
import { finishRun, findRunningRun, startRun, tryTakeSyncLock, type SyncRunResult, type SyncRunRow } from "../db/sync-runs-repo.js";

const SUBSCRIPTIONS_IN_PARALLEL = 4;

export interface SyncDeps {
  pool: pg.Pool;
  gateway: AzureGateway;
  subscriptionIds: readonly string[];
  /** Parallel instance-view reads when the list does not carry them. */
  concurrency: number;
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
export async function requestSync(deps: SyncDeps, trigger: "api" | "schedule" | "startup", audit?: AuditContext): Promise<SyncRequest> {
  // The lock winner inserts its row right after locking; a loser may look before that row exists, so it retries.
  for (let attempt = 0; attempt < 50; attempt++) {
    const lock = await tryTakeSyncLock(deps.pool);
    if (lock) {
      let run: SyncRunRow;
      try {
        run = await startRun(deps.pool, trigger, audit);
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
  const totals: SyncRunResult = { status: "succeeded", vmsSeen: 0, windowsNew: 0, windowsChanged: 0, windowsCleared: 0, vmsGone: 0, armRequests: 0, errors: [] };
  // ARM budgets are per subscription, so subscriptions are listed side by side; each fails on its own.
  const bySubscription = pLimit(SUBSCRIPTIONS_IN_PARALLEL);
  await Promise.all(
    deps.subscriptionIds.map((subscriptionId) =>
      bySubscription(async () => {
        try {
          await syncSubscription(deps, run, subscriptionId, totals);
        } catch (error) {
          const arm = error instanceof ArmError ? error : null;
          totals.errors.push({ subscriptionId, code: arm?.code ?? null, message: error instanceof Error ? error.message : String(error) });
          deps.log?.warn({ err: error, subscriptionId, syncRunId: run.id }, "sync of a subscription failed");
        }
      }),
    ),
  );
  const failed = totals.errors.length;
  totals.status = failed === 0 ? "succeeded" : failed < deps.subscriptionIds.length ? "partial" : "failed";
  totals.armRequests = deps.gateway.requestCount() - requestsBefore;
  const finished = await finishRun(deps.pool, run.id, totals);
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

async function syncSubscription(deps: SyncDeps, run: SyncRunRow, subscriptionId: string, totals: SyncRunResult) {
  const limit = pLimit(deps.concurrency); // per subscription: each has its own read budget
  const seen = new Set<string>();
  for await (const page of deps.gateway.listVirtualMachines(subscriptionId)) {
    const fresh = page.filter((vm) => !seen.has(armKey(vm.resourceId)));
    fresh.forEach((vm) => seen.add(armKey(vm.resourceId)));
    const observed = await Promise.all(fresh.map((vm) => limit(() => withInstanceView(deps.gateway, vm))));
    const counts = await recordObservations(deps.pool, run.id, observed);
    totals.vmsSeen += observed.length;
    totals.windowsNew += counts.appeared;
    totals.windowsChanged += counts.changed;
    totals.windowsCleared += counts.cleared;
  }
  // Only a subscription listed to the end may mark VMs gone: a failed listing would mark the unread rest.
  // Not `totals.vmsGone += await …`: that reads the total before awaiting, losing a parallel subscription's count.
  const gone = await markGone(deps.pool, subscriptionId, run.startedAt);
  totals.vmsGone += gone;
}

async function withInstanceView(gateway: AzureGateway, vm: ArmVirtualMachine): Promise<ObservedVm> {
  if (vm.instanceView) return { ...vm, instanceView: vm.instanceView };
  return { ...vm, instanceView: await gateway.getInstanceView(vm) };
}
