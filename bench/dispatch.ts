// Dispatch benchmark: 1,000 bookings due at the same instant across 10 subscriptions, executed by the dispatcher
// through the real SDK against the simulator (zero latency, no throttle). Reports bookings started per second and
// the lag from startAt to the performMaintenance request (p50/p99, from the simulator's request log) — then, on the
// same database server, pg-boss 10.4.2 working 1,000 no-op jobs due at one instant, and the ratio.
import PgBoss from "pg-boss";
import { startSimulator } from "../src/azure/simulator/index.js";
import { startExecutionDispatcher } from "../src/services/execution-dispatch.js";
import { createTestDatabase, type TestDatabase } from "../test/helpers/database.js";
import { insertBookings, openMaintenance, seedMaintenance, waitForBookings } from "../test/helpers/scheduler.js";
import { gatewayFor } from "../test/helpers/simulator.js";

const FLEET = { subscriptions: 10, vmsPerSubscription: 100, seed: 3 };
const JOBS = 1_000;
/** Bookings (and jobs) become due this long after they are written, so the run measures dispatch, not inserts. */
const DUE_IN_SECONDS = 2;
const DISPATCH_INTERVAL_MS = 250;
const PG_BOSS = { batchSize: 100, pollingIntervalSeconds: 0.5 };

export interface DispatchBenchResult {
  runner: string;
  jobs: number;
  perSecond: number;
  lagP50Ms: number;
  lagP99Ms: number;
  wallSeconds: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summarize(runner: string, dueAt: number, startedAt: number[], wallSeconds: number): DispatchBenchResult {
  const lags = startedAt.map((t) => t - dueAt).sort((a, b) => a - b);
  const spanSeconds = (Math.max(...startedAt) - Math.min(...startedAt)) / 1000;
  return {
    runner,
    jobs: startedAt.length,
    perSecond: Math.round(startedAt.length / Math.max(spanSeconds, 0.001)),
    lagP50Ms: Math.round(percentile(lags, 50)),
    lagP99Ms: Math.round(percentile(lags, 99)),
    wallSeconds: Math.round(wallSeconds * 10) / 10,
  };
}

async function benchScheduler(database: TestDatabase): Promise<DispatchBenchResult> {
  const sim = await startSimulator({ fleet: FLEET, latencyMs: 0, throttle: false, computePolicies: false, operationDurationMs: 50 });
  try {
    const pool = database.db.pool;
    const sync = { pool, gateway: gatewayFor(sim, { budget: false }), subscriptionIds: sim.subscriptionIds, concurrency: 16 };
    // VMs in no availability set or scale set: the planner runs its checks in the claim and admits them all, so
    // the run measures dispatch, not the pause between update domains.
    const vms = sim.vms().filter((vm) => !vm.scaleSetName);
    for (const vm of vms) sim.setPlacement(vm.resourceId, { availabilitySet: null });
    await seedMaintenance(sim, sync, vms, openMaintenance());
    const ids = await insertBookings(pool, vms, DUE_IN_SECONDS);
    const { rows } = await pool.query<{ start_at: Date }>(`SELECT min(start_at) AS start_at FROM bookings`);
    const dueAt = rows[0].start_at.getTime();
    sim.reset();
    const started = performance.now();
    // As in production: no SDK retries, and the gateway paces requests to ARM's per-subscription budgets. A 1 s poll
    // interval keeps the polls of 100 operations per subscription inside the read burst (production polls every 10 s).
    const gateway = gatewayFor(sim, { retry: { maxRetries: 0 }, pollIntervalMs: 1_000 });
    const dispatcher = startExecutionDispatcher(
      { pool, gateway },
      { dispatchIntervalMs: DISPATCH_INTERVAL_MS, leaseDurationMs: 60_000, misfireGraceSeconds: 3_600, maxAttempts: 5, retryBaseDelayMs: 1_000, retryMaxDelayMs: 10_000 },
    );
    const done = await waitForBookings(pool, ids, 60_000);
    await dispatcher.stop();
    const notCompleted = done.filter((b) => b.state !== "completed");
    if (notCompleted.length) throw new Error(`${notCompleted.length} bookings ended ${notCompleted[0].state}: ${notCompleted[0].state_reason}`);
    const starts = sim.requests({ operation: "performMaintenance" }).filter((r) => r.status === 202).map((r) => Date.parse(r.at));
    return summarize("maintenance-planner dispatcher", dueAt, starts, (performance.now() - started) / 1000);
  } finally {
    await sim.close();
  }
}

async function benchPgBoss(database: TestDatabase): Promise<DispatchBenchResult> {
  const boss = new PgBoss({ connectionString: database.url, schema: "pgboss_bench", max: 10, supervise: false, schedule: false });
  boss.on("error", () => undefined);
  await boss.start();
  try {
    await boss.createQueue("noop");
    const dueAt = Date.now() + DUE_IN_SECONDS * 1000;
    await boss.insert(Array.from({ length: JOBS }, (_, i) => ({ name: "noop", data: { i }, startAfter: new Date(dueAt) })));
    const startedAt: number[] = [];
    const started = performance.now();
    const finished = new Promise<void>((resolve) => {
      void boss.work("noop", PG_BOSS, async (jobs) => {
        for (const _ of jobs) startedAt.push(Date.now());
        if (startedAt.length >= JOBS) resolve();
      });
    });
    await finished;
    return summarize(`pg-boss 10.4.2 (batchSize ${PG_BOSS.batchSize}, poll ${PG_BOSS.pollingIntervalSeconds}s)`, dueAt, startedAt, (performance.now() - started) / 1000);
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

export async function runDispatchBenchmarks(): Promise<{ results: DispatchBenchResult[]; ratio: number }> {
  const database = await createTestDatabase({ max: Number(process.env.BENCH_POOL ?? 10) });
  try {
    const ours = await benchScheduler(database);
    const boss = await benchPgBoss(database);
    return { results: [ours, boss], ratio: Math.round((ours.perSecond / boss.perSecond) * 100) / 100 };
  } finally {
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { results, ratio } = await runDispatchBenchmarks();
  console.table(results);
  console.log(`dispatcher / pg-boss throughput ratio: ${ratio}`);
}
