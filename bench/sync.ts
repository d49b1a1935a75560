// Sync benchmark: a 10,000-VM simulated fleet over 4 subscriptions, synced through the real SDK into a fresh
// database. Reports wall time, ARM requests (and per VM), 429s, and peak RSS.
import { requestSync } from "../src/services/sync.js";
import { startSimulator, type SimulatorOptions } from "../src/azure/simulator/index.js";
import { createTestDatabase } from "../test/helpers/database.js";
import { gatewayFor } from "../test/helpers/simulator.js";

export interface SyncBenchResult {
  scenario: string;
  vms: number;
  wallSeconds: number;
  armRequests: number;
  armRequestsPerVm: number;
  throttled429: number;
  /** Time the read budget alone requires (0 when the run fits the burst). */
  budgetBoundSeconds: number;
  /** wallSeconds / budgetBoundSeconds (goal ≤ 1.2), when the budget binds. */
  vsBound: number | null;
  peakRssMb: number;
}

const FLEET = { subscriptions: 4, vmsPerSubscription: 2400, scaleSetsPerSubscription: 4, instancesPerScaleSet: 25, seed: 42 };
const READS = { burst: 250, perSecond: 25 };

export async function benchSync(scenario: string, sim: SimulatorOptions, pacing = true): Promise<SyncBenchResult> {
  const database = await createTestDatabase();
  const simulator = await startSimulator({ fleet: FLEET, ...sim });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  try {
    const gateway = gatewayFor(simulator, { retry: { maxRetries: 10 }, ...(pacing ? {} : { budget: false as const }) });
    const started = performance.now();
    const request = await requestSync({ pool: database.db.pool, gateway, subscriptionIds: simulator.subscriptionIds, concurrency: 16 }, "api");
    const run = await request.finished;
    const wallSeconds = (performance.now() - started) / 1000;
    if (run.status !== "succeeded") throw new Error(`sync ended ${run.status}: ${JSON.stringify(run.errors)}`);
    const log = simulator.requests();
    const perSubscription = Math.max(...simulator.subscriptionIds.map((s) => log.filter((r) => r.subscriptionId === s && r.status !== 429).length));
    const throttled = sim.throttle ? Math.max(0, (perSubscription - READS.burst) / READS.perSecond) : 0;
    return {
      scenario,
      vms: run.vmsSeen,
      wallSeconds,
      armRequests: run.armRequests,
      armRequestsPerVm: run.armRequests / run.vmsSeen,
      throttled429: log.filter((r) => r.status === 429).length,
      budgetBoundSeconds: throttled,
      vsBound: throttled > 0 ? wallSeconds / throttled : null,
      peakRssMb: Math.round(peakRss / 2 ** 20),
    };
  } finally {
    clearInterval(sampler);
    await simulator.close();
    await database.drop();
  }
}

export async function runSyncBenchmarks(): Promise<SyncBenchResult[]> {
  const throttle = { reads: READS, writes: { burst: 200, perSecond: 10 } };
  return [
    await benchSync("list carries instance view, ARM throttle on", { pageSize: 100, throttle }),
    await benchSync("instance view per VM, no throttle, no client pacing", { pageSize: 100, listIncludesInstanceView: false }, false),
    await benchSync("instance view per VM, ARM read throttle on", { pageSize: 100, listIncludesInstanceView: false, throttle }),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await runSyncBenchmarks());
}
