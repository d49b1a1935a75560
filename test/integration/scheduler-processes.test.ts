// The service as real processes (node src/main.ts → bree dispatch worker → real SDK → ARM simulator in this test,
// one Postgres database): crashes, graceful stops and two replicas never do a booking twice — counted at the
// simulator's request log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator, SimVm } from "../../src/azure/simulator/index.js";
import type { SyncDeps } from "../../src/services/sync.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { attemptsOf, insertBookings, performRequestsFor, plainVms, seedMaintenance, waitForBookings } from "../helpers/scheduler.js";
import { serviceEnv, startService, stopAll, until } from "../helpers/service-process.js";
import { gatewayFor, startTestSimulator } from "../helpers/simulator.js";

const FLEET = { subscriptions: 2, vmsPerSubscription: 115, seed: 5 };

describe("scheduler processes", () => {
  let database: TestDatabase;
  let sim: Simulator;
  let vms: SimVm[];
  let next = 0;
  const take = (n: number) => vms.slice(next, (next += n));
  const pool = () => database.db.pool;
  const performs = (vm: SimVm) => performRequestsFor(sim.requests({ operation: "performMaintenance" }), vm);
  const env = (extra: Record<string, string> = {}) => serviceEnv(sim, database.url, { LEASE_DURATION: "2s", OPERATION_POLL_INTERVAL: "200ms", ...extra });
  const waitInFlight = (ids: string[]) =>
    waitFor(async () => (await pool().query(`SELECT count(*)::int AS n FROM bookings WHERE id = ANY($1::uuid[]) AND operation_state IS NOT NULL`, [ids])).rows[0].n === ids.length);

  /** Five bookings whose operations are in flight in a first service process. */
  const inFlightIn = async () => {
    const targets = take(5);
    const ids = await insertBookings(pool(), targets);
    const first = startService(env());
    await waitInFlight(ids);
    return { targets, ids, first };
  };
  /** A second process finishes them: completed, with exactly one performMaintenance per VM. */
  const finishedByNext = async (targets: SimVm[], ids: string[]) => {
    startService(env());
    const rows = await waitForBookings(pool(), ids, 30_000);
    expect(rows.map((r) => r.state)).toEqual(ids.map(() => "completed"));
    for (const vm of targets) expect(performs(vm)).toHaveLength(1);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    // Operations take 3 s, so a process can be stopped or killed while they are in flight.
    sim = await startTestSimulator({ fleet: FLEET, operationDurationMs: 3_000 });
    const sync: SyncDeps = { pool: pool(), gateway: gatewayFor(sim), subscriptionIds: sim.subscriptionIds, concurrency: 8 };
    vms = [...plainVms(sim, 115, sim.subscriptionIds[0]), ...plainVms(sim, 115, sim.subscriptionIds[1])];
    await seedMaintenance(sim, sync, vms);
  });
  afterAll(async () => {
    await stopAll();
    await sim?.close();
    await database?.drop();
  });

  it("a process killed with SIGKILL mid-operation: the restarted one resumes it, one performMaintenance per VM", async () => {
    const { targets, ids, first } = await inFlightIn();
    first.child.kill("SIGKILL");
    await first.exited;
    const [held] = (await pool().query(`SELECT lease_owner FROM bookings WHERE id = $1`, [ids[0]])).rows;
    expect(held.lease_owner).not.toBeNull(); // the crash left the lease behind; it must expire first

    await finishedByNext(targets, ids);
    const attempts = await attemptsOf(pool(), ids[0]);
    expect(attempts.map((a) => a.outcome)).toEqual(["succeeded"]);
    await stopAll();
  }, 60_000);

  it("SIGTERM stops at a safe point and releases leases; the next process resumes without a new request", async () => {
    const { targets, ids, first } = await inFlightIn();
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const { rows: released } = await pool().query(`SELECT lease_owner, operation_state, state FROM bookings WHERE id = ANY($1::uuid[])`, [ids]);
    expect(released.every((r) => r.state === "running" && r.lease_owner === null && r.operation_state)).toBe(true);

    await finishedByNext(targets, ids);
    await stopAll();
  }, 60_000);

  it("two processes on one database with 200 due bookings: each VM gets exactly one performMaintenance", async () => {
    const targets = take(200);
    expect(targets).toHaveLength(200);
    // Due a few seconds from now, so both processes are up and racing for the same rows.
    const ids = await insertBookings(pool(), targets, 6);
    // Polls every 2 s: 100 operations per subscription must stay near the gateway's read budget (250 burst, 25/s).
    const racing = env({ LEASE_DURATION: "10s", OPERATION_POLL_INTERVAL: "2s" });
    startService(racing);
    startService(racing);
    const rows = await waitForBookings(pool(), ids, 45_000);
    expect(rows.filter((r) => r.state !== "completed")).toEqual([]);
    const counts = targets.map((vm) => performs(vm).length);
    expect(counts.every((n) => n === 1)).toBe(true);
  }, 60_000);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("scheduled sync", () => {
  let database: TestDatabase;
  let sim: Simulator;
  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startTestSimulator({ fleet: { subscriptions: 1, vmsPerSubscription: 3, seed: 2 } });
  });
  afterAll(async () => {
    await stopAll();
    await sim?.close();
    await database?.drop();
  });

  // bree skips a job whose last worker still lives; a sync worker kept alive by its port listeners ran once only.
  it("runs again every SYNC_INTERVAL, not just at start", async () => {
    startService(serviceEnv(sim, database.url, { SYNC_INTERVAL: "1s" }));
    const runs = () => database.db.pool.query(`SELECT count(*)::int AS n FROM sync_runs WHERE trigger = 'schedule' AND status = 'succeeded'`);
    await until("three scheduled syncs", async () => ((await runs()).rows[0].n >= 3 ? true : undefined), 60_000, 200);
  }, 90_000);
});
