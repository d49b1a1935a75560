// Booking create benchmarks: the real app listening on 127.0.0.1, a fresh database holding a synced simulated
// fleet whose every VM has an open self-service window. `bookings`: autocannon sending POST /v1/bookings — each
// request books a different VM, so every one is a full create (rules, insert, unique index), not a 409.
// `booking-batches`: POST /v1/booking-batches of 1,000 new VMs each, one at a time.
import type { AddressInfo } from "node:net";
import autocannon from "autocannon";
import { buildApp } from "../src/app.js";
import { startSimulator, isoWithOffset } from "../src/azure/simulator/index.js";
import { recheckAfterSync } from "../src/services/booking-recheck.js";
import { requestSync, type SyncDeps } from "../src/services/sync.js";
import { createTestDatabase } from "../test/helpers/database.js";
import { gatewayFor } from "../test/helpers/simulator.js";

export interface BookingBenchResult {
  scenario: string;
  requests: number;
  connections: number;
  created201: number;
  otherStatus: number;
  reqPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

const DAY = 86_400_000;
const FLEET = { subscriptions: 2, vmsPerSubscription: 3000, seed: 42 };
const WARMUP = 300;
/** Unloaded latency first (one connection, one request at a time), then under load. */
const SCENARIOS = [{ connections: 1, requests: 500 }, { connections: 32, requests: 5000 }];
/** The app's pool size in production (src/db/client.ts default). */
const POOL_SIZE = 10;

/** A listening app over a synced fleet whose every VM has an open self-service window; `ids`: the VMs' ids. */
async function bookableFleet() {
  const database = await createTestDatabase({ max: POOL_SIZE });
  // Setup only: the sync that loads the fleet is not what is measured, so no throttling.
  const simulator = await startSimulator({ fleet: FLEET, pageSize: 1000, throttle: false, computePolicies: false });
  const now = Date.now();
  const open = { isCustomerInitiatedMaintenanceAllowed: true, preMaintenanceWindowStartTime: isoWithOffset(now - DAY), preMaintenanceWindowEndTime: isoWithOffset(now + 30 * DAY), lastOperationResultCode: "None" as const };
  for (const vm of simulator.vms()) simulator.setMaintenance(vm.resourceId, open);
  const pool = database.db.pool;
  const sync: SyncDeps = { pool, gateway: gatewayFor(simulator, { budget: false }), subscriptionIds: simulator.subscriptionIds, concurrency: 16, afterSync: recheckAfterSync(pool) };
  const app = await buildApp({ db: database.db, sync, clock: () => new Date(), bookingPolicy: { minLeadSeconds: 300, endMarginSeconds: 1800 }, auth: { mode: "none" }, rateLimitPerMinute: 1_000_000 });
  const close = async () => {
    await app.close();
    await simulator.close();
    await database.drop();
  };
  try {
    const run = await (await requestSync(sync, "api")).finished;
    if (run.status !== "succeeded") throw new Error(`sync ended ${run.status}`);
    const { rows } = await pool.query<{ id: string }>("SELECT id FROM virtual_machines ORDER BY id");
    await app.listen({ host: "127.0.0.1", port: 0 });
    return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, ids: rows.map((r) => r.id), startAt: new Date(now + 2 * DAY).toISOString(), close };
  } catch (error) {
    await close();
    throw error;
  }
}

export async function benchBookingCreate(): Promise<BookingBenchResult[]> {
  const { url, ids, startAt, close } = await bookableFleet();
  try {
    let next = 0;
    const load = (amount: number, connections: number) =>
      autocannon({
        url,
        connections,
        amount,
        requests: [{
          method: "POST",
          path: "/v1/bookings",
          headers: { "content-type": "application/json" },
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ virtualMachineId: ids[next++ % ids.length], startAt, note: "bench" }) }),
        }],
      });
    await load(WARMUP, 8);
    const results: BookingBenchResult[] = [];
    for (const { connections, requests } of SCENARIOS) {
      const started = performance.now();
      const measured = await load(requests, connections);
      const wallSeconds = (performance.now() - started) / 1000;
      results.push({
        scenario: `create, each request a new VM (pool ${POOL_SIZE})`,
        requests: measured.requests.total,
        connections,
        created201: measured["2xx"],
        otherStatus: measured.non2xx + measured.errors,
        // Over wall time: autocannon's per-second average and `duration` are too coarse for runs of a few seconds.
        reqPerSecond: Math.round(measured.requests.total / wallSeconds),
        p50Ms: measured.latency.p50,
        p90Ms: measured.latency.p90,
        p99Ms: measured.latency.p99,
        maxMs: measured.latency.max,
      });
    }
    return results;
  } finally {
    await close();
  }
}

export interface BookingBatchBenchResult {
  scenario: string;
  items: number;
  status: number;
  created: number;
  ms: number;
  bookingsPerSecond: number;
}

const BATCH_ITEMS = 1000;
const BATCHES = 5;

/** POST /v1/booking-batches with 1,000 new VMs each, one request at a time, after one warm-up batch: the time per request. */
export async function benchBookingBatch(): Promise<BookingBatchBenchResult[]> {
  const { url, ids, startAt, close } = await bookableFleet();
  try {
    const send = async (n: number, atomic: boolean) => {
      const items = ids.slice(n * BATCH_ITEMS, (n + 1) * BATCH_ITEMS).map((virtualMachineId) => ({ virtualMachineId, startAt, note: "bench" }));
      const started = performance.now();
      const res = await fetch(`${url}/v1/booking-batches`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ items, atomic }) });
      const body = (await res.json()) as { created?: number };
      const ms = performance.now() - started;
      return { scenario: `${BATCH_ITEMS} new VMs, ${atomic ? "atomic" : "non-atomic"}`, items: items.length, status: res.status, created: body.created ?? 0, ms: Math.round(ms), bookingsPerSecond: Math.round(((body.created ?? 0) * 1000) / ms) };
    };
    await send(0, false);
    const results: BookingBatchBenchResult[] = [];
    for (let n = 1; n <= BATCHES; n++) results.push(await send(n, n % 2 === 0));
    return results;
  } finally {
    await close();
  }
}
