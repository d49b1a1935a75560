// Graceful shutdown of the real process: SIGTERM while a request is in flight (held on a row lock in Postgres)
// → the listener closes at once, the request still completes, an open event stream is ended (its client would
// otherwise hold the server open forever), and the process exits 0.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/azure/simulator/index.js";
import { isoWithOffset } from "../../src/azure/simulator/index.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { freePort, serviceEnv, startService, stopAll, type ServiceProcess } from "../helpers/service-process.js";
import { startTestSimulator } from "../helpers/simulator.js";
import { until } from "../helpers/until.js";
import { openEventStream } from "../helpers/event-stream.js";

describe("graceful shutdown", () => {
  let database: TestDatabase;
  let sim: Simulator;
  let service: ServiceProcess;
  let base: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startTestSimulator({ fleet: { subscriptions: 1, vmsPerSubscription: 3, seed: 9 } });
    const now = Date.now();
    for (const vm of sim.vms()) {
      sim.setMaintenance(vm.resourceId, { isCustomerInitiatedMaintenanceAllowed: true, preMaintenanceWindowStartTime: isoWithOffset(now - 86_400_000), preMaintenanceWindowEndTime: isoWithOffset(now + 20 * 86_400_000) });
    }
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = startService(serviceEnv(sim, database.url, { PORT: String(port), SYNC_INTERVAL: "1h" }));
  });
  afterAll(async () => {
    await stopAll();
    await sim?.close();
    await database?.drop();
  });

  it("finishes the in-flight request, refuses new connections, and exits 0", async () => {
    // The sync job runs at start; wait for its VMs, then book one.
    const vmId = await until("synced VMs", async () => {
      const res = await fetch(`${base}/v1/virtual-machines?maintenance=self-service-open`);
      const body = (await res.json()) as { value: { id: string }[] };
      return body.value[0]?.id;
    });
    const created = await fetch(`${base}/v1/bookings`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ virtualMachineId: vmId, startAt: new Date(Date.now() + 2 * 86_400_000).toISOString() }),
    });
    expect(created.status).toBe(201);
    const booking = (await created.json()) as { id: string };

    const stream = await openEventStream(`${base}/v1/event-stream`);
    expect(stream.status).toBe(200);

    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    await locker.query("BEGIN");
    await locker.query("SELECT id FROM bookings WHERE id = $1 FOR UPDATE", [booking.id]);
    const inFlight = fetch(`${base}/v1/bookings/${booking.id}`, {
      method: "PATCH", headers: { "content-type": "application/json", "if-match": created.headers.get("etag")! },
      body: JSON.stringify({ note: "changed during shutdown" }),
    });
    await new Promise((r) => setTimeout(r, 500)); // the PATCH now waits on the row lock
    service.child.kill("SIGTERM");
    // A new connection is refused once the listener has closed (fetch's own keep-alive sockets would get a 503).
    await until("the listener to close", async () => ((await fetch(`${base}/healthz`, { headers: { connection: "close" } }).then(() => false, () => true)) ? true : undefined), 10_000);

    await locker.query("COMMIT");
    await locker.end();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { note: string }).note).toBe("changed during shutdown");
    expect(await service.exited, service.output()).toBe(0);
    await stream.ended;
  }, 60_000);
});
