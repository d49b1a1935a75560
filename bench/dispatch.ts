// Dispatch benchmarks.
//
// 1. Throughput: 1,000 bookings due at the same instant across 50 subscriptions, executed by the deployed service
//    (`node dist/src/main.js`, its bree `dispatch` worker) through the real SDK against the ARM simulator, which runs
//    in this process — not in the service's — as Azure would. Reports bookings started per second and the lag from
//    startAt to the performMaintenance request (p50/p99, from the simulator's request log); then, on the same
//    database server, pg-boss 10.4.2 working 1,000 no-op jobs due at one instant, and the ratio. The VMs are in no
//    availability set or group: the planner runs in every claim and admits them all. Then the same 1,000 over 10
//    subscriptions, where ARM's read budget per subscription is what limits (the dispatcher paces to it).
// 2. The planner in the claim: 10,000 due bookings in 500 availability sets × 5 update domains, the sets' VMs in 50
//    maintenance groups (maxConcurrent 10%), claimed 100 at a time by `claimAndPlan` until every booking is decided
//    (admitted or deferred): decisions per second, against the same 10,000 bookings on VMs in no set or group.
// 3. The plan preview of those 10,000 scheduled bookings: `POST /v1/plan-previews` on the deployed service.
import PgBoss from "pg-boss";
import type pg from "pg";
import { startSimulator, type Simulator } from "../src/azure/simulator/index.js";
import { claimAndPlan } from "../src/services/execution-dispatch.js";
import { refreshMembers } from "../src/services/maintenance-groups.js";
import { createTestDatabase, type TestDatabase } from "../test/helpers/database.js";
import { insertBookings, openMaintenance, seedMaintenance, waitForBookings } from "../test/helpers/scheduler.js";
import { freePort, serviceEnv } from "../test/helpers/service-process.js";
import { gatewayFor } from "../test/helpers/simulator.js";
import { buildService, serviceReady, startServer, stopServer } from "./deployed.js";

/**
 * 1,000 VMs over 50 subscriptions: ARM's read budget (250 burst, 25/s per subscription; about three reads per
 * booking: before, polling, after) is not what limits, so the run measures the dispatcher. Over 10 subscriptions
 * of 100 it is (as designed: the dispatcher paces to it), which the second run shows.
 */
const FLEETS = [
  { subscriptions: 50, vmsPerSubscription: 20, seed: 3 },
  { subscriptions: 10, vmsPerSubscription: 100, seed: 3 },
];
const JOBS = 1_000;
/** Bookings (and jobs) become due this long after they are written, so the run measures dispatch, not inserts. */
const DUE_IN_SECONDS = 2;
const PG_BOSS = { batchSize: 100, pollingIntervalSeconds: 0.5 };
/** The service as deployed, with a quick claim loop and operation polls (production polls every 10 s). */
const SERVICE_ENV = { NODE_ENV: "production", LOG_LEVEL: "warn", DISPATCH_INTERVAL: "250ms", OPERATION_POLL_INTERVAL: "1s", SYNC_INTERVAL: "1h", RATE_LIMIT_PER_MINUTE: "1000000" };

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

async function benchService(database: TestDatabase, fleet: (typeof FLEETS)[number]): Promise<DispatchBenchResult> {
  const sim = await startSimulator({ fleet, latencyMs: 0, throttle: false, computePolicies: false, operationDurationMs: 50 });
  try {
    const pool = database.db.pool;
    const vms = sim.vms().filter((vm) => !vm.scaleSetName);
    for (const vm of vms) sim.setPlacement(vm.resourceId, { availabilitySet: null });
    await seedMaintenance(sim, { pool, gateway: gatewayFor(sim, { budget: false }), subscriptionIds: sim.subscriptionIds, concurrency: 16 }, vms, openMaintenance());
    const args = process.env.BENCH_CPU_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`, "dist/src/main.js"] : ["dist/src/main.js"];
    const service = startServer("Maintenance Planner (node dist/src/main.js)", args, serviceEnv(sim, database.url, SERVICE_ENV), await freePort());
    try {
      await serviceReady(service);
      const ids = await insertBookings(pool, vms, DUE_IN_SECONDS);
      const { rows } = await pool.query<{ start_at: Date }>(`SELECT min(start_at) AS start_at FROM bookings`);
      const dueAt = rows[0].start_at.getTime();
      sim.reset();
      const started = performance.now();
      const done = await waitForBookings(pool, ids, 120_000);
      const notCompleted = done.filter((b) => b.state !== "completed");
      if (notCompleted.length) throw new Error(`${notCompleted.length} bookings ended ${notCompleted[0].state}: ${notCompleted[0].state_reason}`);
      const starts = sim.requests({ operation: "performMaintenance" }).filter((r) => r.status === 202).map((r) => Date.parse(r.at));
      const runner = `maintenance-planner service (dispatch worker), ${fleet.subscriptions} subscriptions × ${fleet.vmsPerSubscription} VMs`;
      return summarize(runner, dueAt, starts, (performance.now() - started) / 1000);
    } finally {
      await stopServer(service);
    }
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
  buildService();
  const results: DispatchBenchResult[] = [];
  for (const fleet of FLEETS) {
    const database = await createTestDatabase({ max: 10 });
    try {
      results.push(await benchService(database, fleet));
      // pg-boss once, on the first fleet's database server (the same server for all).
      if (results.length === 1) results.push(await benchPgBoss(database));
    } finally {
      await database.drop();
    }
  }
  return { results, ratio: Math.round((results[0].perSecond / results[1].perSecond) * 100) / 100 };
}

// --- 2 and 3: the planner ---------------------------------------------------------------------------------------

const SETS = 500;
const DOMAINS = 5;
const PER_DOMAIN = 4;
const GROUPS = 50;
const PLANNER = { updateDomainGapMs: 30 * 60_000, endMarginMs: 30 * 60_000 };

/** 10,000 VMs with open self-service windows, in SETS availability sets of DOMAINS update domains (or none). */
export async function seedPlannerFleet(pool: pg.Pool, placed: boolean): Promise<void> {
  await pool.query(`TRUNCATE virtual_machines, maintenance_groups CASCADE`);
  await pool.query(
    `INSERT INTO virtual_machines (id, resource_id, resource_id_key, subscription_id, resource_group, name, location, availability_set,
       platform_update_domain, tags, first_seen_at, last_seen_at, maintenance_read_at)
     SELECT gen_random_uuid(), r.id, upper(r.id), 'bench-sub', 'rg-' || (n / ($1::int * $2::int)), 'vm-' || n, 'westeurope',
       CASE WHEN $3::boolean THEN 'as-' || (n / ($1::int * $2::int)) END, CASE WHEN $3::boolean THEN (n / $2::int) % $1::int END,
       jsonb_build_object('app', 'app-' || ((n / ($1::int * $2::int)) % $4::int)), now(), now(), now()
     FROM generate_series(0, $5::int - 1) n,
       LATERAL (SELECT '/subscriptions/bench-sub/resourceGroups/rg-' || (n / ($1::int * $2::int)) || '/providers/Microsoft.Compute/virtualMachines/vm-' || n AS id) r`,
    [DOMAINS, PER_DOMAIN, placed, GROUPS, SETS * DOMAINS * PER_DOMAIN],
  );
  await pool.query(
    `INSERT INTO maintenance_statuses (virtual_machine_id, customer_initiated_maintenance_allowed, self_service_window_start, self_service_window_end,
       scheduled_window_start, scheduled_window_end, last_operation_result_code, observed_at)
     SELECT id, true, now() - interval '1 day', now() + interval '10 days', now() + interval '12 days', now() + interval '12 days 8 hours', 'None', now()
     FROM virtual_machines`,
  );
  if (!placed) return;
  await pool.query(
    `INSERT INTO maintenance_groups (name, selector, policy, created_by)
     SELECT 'app-' || g, jsonb_build_object('tags', jsonb_build_object('app', 'app-' || g)), '{"maxConcurrent": "10%"}', 'bench' FROM generate_series(0, $1::int - 1) g`,
    [GROUPS],
  );
  await refreshMembers(pool);
}

export async function insertPlannerBookings(pool: pg.Pool, startOffset: string): Promise<void> {
  await pool.query(`DELETE FROM bookings`);
  await pool.query(
    `INSERT INTO bookings (id, virtual_machine_id, start_at, state, created_by) SELECT gen_random_uuid(), id, now() + $1::interval, 'scheduled', 'bench' FROM virtual_machines`,
    [startOffset],
  );
}

/** Claims 100 at a time until no booking is due; returns decisions per second. */
async function decideAll(pool: pg.Pool): Promise<{ decisions: number; admitted: number; seconds: number; perSecond: number }> {
  const started = performance.now();
  let admitted = 0;
  for (;;) {
    const { rows, dbNow } = await claimAndPlan(pool, "bench", { leaseDurationMs: 600_000, misfireGraceSeconds: 3_600 }, PLANNER, 100);
    if (!dbNow) break;
    admitted += rows.length;
  }
  const seconds = (performance.now() - started) / 1000;
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM bookings WHERE state = 'running' OR deferred_until IS NOT NULL`);
  return { decisions: rows[0].n, admitted, seconds: Math.round(seconds * 100) / 100, perSecond: Math.round(rows[0].n / seconds) };
}

async function previewOnService(database: TestDatabase, sim: Simulator): Promise<number[]> {
  const service = startServer("Maintenance Planner (node dist/src/main.js)", ["dist/src/main.js"], serviceEnv(sim, database.url, SERVICE_ENV), await freePort());
  try {
    await serviceReady(service);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const res = await fetch(`${service.url}/v1/plan-previews`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      const body = (await res.json()) as { value: unknown[] };
      if (!res.ok || body.value.length !== SETS * DOMAINS * PER_DOMAIN) throw new Error(`preview: ${res.status}, ${body.value?.length} items`);
      times.push(Math.round(performance.now() - t));
    }
    return times;
  } finally {
    await stopServer(service);
  }
}

export interface PlannerBenchResult {
  rows: object[];
  ratio: number;
  previewMs: number[];
}

export async function runPlannerBenchmarks(): Promise<PlannerBenchResult> {
  buildService();
  const database = await createTestDatabase({ max: 10 });
  // The service needs an ARM endpoint; its own (tiny) fleet is in another subscription than the seeded VMs.
  const sim = await startSimulator({ fleet: { subscriptions: 1, vmsPerSubscription: 1, seed: 1 } });
  try {
    const pool = database.db.pool;
    await seedPlannerFleet(pool, true);
    await insertPlannerBookings(pool, "1 hour");
    const previewMs = await previewOnService(database, sim);
    await pool.query(`UPDATE bookings SET start_at = now() - interval '1 second'`);
    const planned = await decideAll(pool);
    await seedPlannerFleet(pool, false);
    await insertPlannerBookings(pool, "-1 second");
    const plain = await decideAll(pool);
    return {
      rows: [
        { run: `${SETS} availability sets × ${DOMAINS} update domains, ${GROUPS} groups (maxConcurrent 10%)`, ...planned },
        { run: "the same bookings, VMs in no set or group", ...plain },
      ],
      ratio: Math.round((planned.perSecond / plain.perSecond) * 100) / 100,
      previewMs,
    };
  } finally {
    await sim.close();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { results, ratio } = await runDispatchBenchmarks();
  console.table(results);
  console.log(`dispatcher / pg-boss throughput ratio: ${ratio}`);
  const planner = await runPlannerBenchmarks();
  console.table(planner.rows);
  console.log(`planner claim rate / plain claim rate: ${planner.ratio}; plan preview of 10,000 bookings: ${planner.previewMs.join(", ")} ms`);
}
