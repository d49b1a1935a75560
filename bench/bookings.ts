// Booking create benchmarks: the built service as its own process (`node dist/src/main.js`), a fresh database
// holding a synced simulated fleet whose every VM has an open self-service window. `bookings`: autocannon sending POST /v1/bookings — each
// request books a different VM, so every one is a full create (rules, insert, unique index), not a 409.
// `booking-batches`: POST /v1/booking-batches of 1,000 new VMs each, one at a time.
import autocannon from "autocannon";
import { startSimulator, isoWithOffset } from "../src/azure/simulator/index.js";
import { requestSync } from "../src/services/sync.js";
import { createTestDatabase } from "../test/helpers/database.js";
import { freePort, serviceEnv } from "../test/helpers/service-process.js";
import { gatewayFor } from "../test/helpers/simulator.js";
import { buildService, serviceReady, startServer, stopServer, type Server } from "./deployed.js";

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
/** The service's pool size in production (src/db/client.ts default); the setup's own pool is as large. */
const POOL_SIZE = 10;

/**
 * The built service (`node dist/src/main.js`, its own process, as the image runs it) over a synced fleet whose
 * every VM has an open self-service window; `ids`: the VMs' ids.
 */
async function bookableFleet() {
  buildService();
  const database = await createTestDatabase({ max: POOL_SIZE });
  // Setup only: the sync that loads the fleet is not what is measured, so no throttling.
  const simulator = await startSimulator({ fleet: FLEET, pageSize: 1000, throttle: false, computePolicies: false });
  const now = Date.now();
  const open = { isCustomerInitiatedMaintenanceAllowed: true, preMaintenanceWindowStartTime: isoWithOffset(now - DAY), preMaintenanceWindowEndTime: isoWithOffset(now + 30 * DAY), lastOperationResultCode: "None" as const };
  for (const vm of simulator.vms()) simulator.setMaintenance(vm.resourceId, open);
  const pool = database.db.pool;
  let service: Server | null = null;
  const close = async () => {
    if (service) await stopServer(service);
    await simulator.close();
    await database.drop();
  };
  try {
    const run = await (await requestSync({ pool, gateway: gatewayFor(simulator, { budget: false }), subscriptionIds: simulator.subscriptionIds, concurrency: 16 }, "api")).finished;
    if (run.status !== "succeeded") throw new Error(`sync ended ${run.status}`);
    const { rows } = await pool.query<{ id: string }>("SELECT id FROM virtual_machines ORDER BY id");
    const env = serviceEnv(simulator, database.url, { NODE_ENV: "production", LOG_LEVEL: "warn", RATE_LIMIT_PER_MINUTE: "1000000", SYNC_INTERVAL: "1h", BOOKING_MIN_LEAD_SECONDS: "300", BOOKING_END_MARGIN_SECONDS: "1800", UPDATE_DOMAIN_GAP: "30m", DISPATCH_INTERVAL: "5s" });
    service = startServer("Maintenance Planner (node dist/src/main.js)", ["dist/src/main.js"], env, await freePort());
    await serviceReady(service);
    return { url: service.url, ids: rows.map((r) => r.id), startAt: new Date(now + 2 * DAY).toISOString(), close };
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
