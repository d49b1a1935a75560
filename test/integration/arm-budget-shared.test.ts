// One ARM budget per process: the service's sync and dispatch jobs run in worker threads of their own, and both
// spend the same subscription's read budget. Two budgets would each believe they had ARM's whole burst and rate,
// and together overrun it (429s); one budget, kept by the main thread, keeps the service inside it. Real process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/azure/simulator/index.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { insertBookings, plainVms, seedMaintenance, waitForBookings } from "../helpers/scheduler.js";
import { serviceEnv, startService, stopAll } from "../helpers/service-process.js";
import { gatewayFor, startTestSimulator } from "../helpers/simulator.js";

describe("the service's jobs share one ARM budget", () => {
  let database: TestDatabase;
  let sim: Simulator;
  beforeAll(async () => {
    database = await createTestDatabase();
    // ARM's documented read budget (the simulator's default): 250 at once, 25 per second. The startup sync (300
    // instance views) and 60 executions (two instance views and operation polls each) need more than the burst,
    // and each alone would fit a burst of its own.
    sim = await startTestSimulator({ fleet: { subscriptions: 1, vmsPerSubscription: 300, seed: 31 } });
  });
  afterAll(async () => {
    await stopAll();
    await sim?.close();
    await database?.drop();
  });

  it("runs a sync and 60 executions side by side without a single 429", async () => {
    const pool = database.db.pool;
    const vms = plainVms(sim, 300);
    await seedMaintenance(sim, { pool, gateway: gatewayFor(sim), subscriptionIds: sim.subscriptionIds, concurrency: 16 }, vms);
    const ids = await insertBookings(pool, vms.slice(0, 60));
    sim.reset(); // full buckets and a clean log for the service alone
    startService(serviceEnv(sim, database.url, { OPERATION_POLL_INTERVAL: "100ms" }));

    const rows = await waitForBookings(pool, ids, 60_000);
    expect(rows.map((r) => r.state)).toEqual(ids.map(() => "completed"));
    await expect.poll(async () => (await pool.query(`SELECT status FROM sync_runs WHERE trigger = 'schedule'`)).rows.map((r) => r.status), { timeout: 30_000 }).toEqual(["succeeded"]);
    const log = sim.requests();
    // Both jobs read (a VM completed before the sync reached it is not re-read), and together far past the burst.
    expect(log.filter((r) => r.operation === "getInstanceView").length).toBeGreaterThan(300 + 60);
    expect(log.filter((r) => r.method === "GET").length).toBeGreaterThan(250 + 100);
    expect(log.filter((r) => r.status === 429)).toEqual([]);
  });
});
