// Sync benchmark on the deployed process: the service (`node --import tsx src/main.ts`, with its bree sync job and
// its one ARM budget) against a 10,000-VM simulated fleet over 4 subscriptions, the simulator in its default mode
// (status-only list without maintenance, ARM's documented read/write buckets, Compute's policies). Measures the
// startup sync (every VM read once) and a second sync with no changes (only pending VMs re-read), from the
// service's own sync-run rows and the simulator's request log.
import { startSimulator, type Simulator } from "../src/azure/simulator/index.js";
import { createTestDatabase } from "../test/helpers/database.js";
import { openMaintenance } from "../test/helpers/scheduler.js";
import { freePort, serviceEnv, startService, stopAll } from "../test/helpers/service-process.js";

export interface SyncBenchResult {
  scenario: string;
  vms: number;
  wallSeconds: number;
  armReadsPerVm: number;
  instanceViewsPerVm: number;
  throttled429: number;
  /** The busiest subscription's reads beyond ARM's burst, at ARM's refill rate (0 when the run fits the burst). */
  budgetBoundSeconds: number;
  /** wallSeconds / budgetBoundSeconds (goal ≤ 1.2), when the budget binds. */
  vsBound: number | null;
}

const FLEET = { subscriptions: 4, vmsPerSubscription: 2400, scaleSetsPerSubscription: 4, instancesPerScaleSet: 25, seed: 42 };
const READS = { burst: 250, perSecond: 25 };
const PENDING_SHARE = 0.05;

interface RunRow {
  id: string;
  status: string;
  started_at: Date;
  finished_at: Date;
  vms_seen: number;
  instance_views_read: number;
}

function measure(scenario: string, sim: Simulator, run: RunRow, from: number): SyncBenchResult {
  const log = sim.requests().slice(from);
  const reads = log.filter((r) => r.method === "GET" && r.status !== 429);
  const perSubscription = Math.max(...sim.subscriptionIds.map((s) => reads.filter((r) => r.subscriptionId === s).length));
  const bound = Math.max(0, (perSubscription - READS.burst) / READS.perSecond);
  const wallSeconds = (run.finished_at.getTime() - run.started_at.getTime()) / 1000;
  return {
    scenario,
    vms: run.vms_seen,
    wallSeconds: Math.round(wallSeconds * 10) / 10,
    armReadsPerVm: Math.round((reads.length / run.vms_seen) * 1000) / 1000,
    instanceViewsPerVm: Math.round((run.instance_views_read / run.vms_seen) * 1000) / 1000,
    throttled429: log.filter((r) => r.status === 429).length,
    budgetBoundSeconds: Math.round(bound * 10) / 10,
    vsBound: bound > 0 ? Math.round((wallSeconds / bound) * 1000) / 1000 : null,
  };
}

export async function runSyncBenchmarks(): Promise<SyncBenchResult[]> {
  const database = await createTestDatabase();
  const sim = await startSimulator({ fleet: FLEET });
  try {
    // 5% of the VMs have a pending window (re-read every sync); the rest have none.
    const vms = sim.vms();
    vms.forEach((vm, i) => sim.setMaintenance(vm.resourceId, i % Math.round(1 / PENDING_SHARE) === 0 ? openMaintenance() : null));
    const port = await freePort();
    startService(serviceEnv(sim, database.url, { PORT: String(port), SYNC_INTERVAL: "24h", LOG_LEVEL: "error" }));
    const runs = async () => (await database.db.pool.query<RunRow>(`SELECT * FROM sync_runs WHERE status <> 'running' ORDER BY started_at`)).rows;
    const until = async (n: number) => {
      for (let deadline = Date.now() + 30 * 60_000; (await runs()).length < n; ) {
        if (Date.now() > deadline) throw new Error("sync did not finish in 30 minutes");
        await new Promise((r) => setTimeout(r, 500));
      }
      return (await runs())[n - 1];
    };
    const first = await until(1);
    const results = [measure("first sync (every VM read), status-only list, ARM throttle on", sim, first, 0)];
    const logged = sim.requests().length;
    const started = await fetch(`http://127.0.0.1:${port}/v1/sync-runs`, { method: "POST" });
    if (started.status !== 202) throw new Error(`POST /v1/sync-runs answered ${started.status}`);
    const second = await until(2);
    results.push(measure(`second sync, no changes, ${PENDING_SHARE * 100}% of VMs pending`, sim, second, logged));
    for (const [i, run] of [first, second].entries()) if (run.status !== "succeeded") throw new Error(`sync ${i + 1} ended ${run.status}`);
    return results;
  } finally {
    await stopAll();
    await sim.close();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await runSyncBenchmarks());
}
