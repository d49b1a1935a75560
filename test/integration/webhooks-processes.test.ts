// Webhooks on the real service processes (node src/main.ts → bree `deliver` worker thread), one Postgres database:
// an event whose delivery was in flight when the process was SIGKILLed is delivered by the next process, with the
// same webhook-id; an event committed while no process ran is delivered when one starts; two replicas deliver
// each event once.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/azure/simulator/index.js";
import { appendEvents, type NewEvent } from "../../src/db/outbox-repo.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { freePort, serviceEnv, startService, stopAll } from "../helpers/service-process.js";
import { startTestSimulator } from "../helpers/simulator.js";
import { startWebhookReceiver, verifyWebhook, waitFor, type WebhookReceiver } from "../helpers/webhook-receiver.js";

const events = (n: number, subject = randomUUID()): NewEvent[] =>
  Array.from({ length: n }, (_, i) => ({ name: "booking.created", source: "/v1/bookings", subject, data: { i }, subscriptionId: null, resourceGroup: null }));

describe("webhook delivery across processes", () => {
  let database: TestDatabase;
  let sim: Simulator;
  let receiver: WebhookReceiver;
  const key = randomBytes(32).toString("base64");
  const pool = () => database.db.pool;

  async function service() {
    const port = await freePort();
    const process = startService(serviceEnv(sim, database.url, {
      PORT: String(port), WEBHOOK_SECRET_KEY: key, WEBHOOK_ALLOW_INSECURE: "true", WEBHOOK_TIMEOUT: "3s", LEASE_DURATION: "2s",
      WEBHOOK_RETRY_SCHEDULE: "200ms,200ms,200ms", WEBHOOK_POLL_INTERVAL: "200ms", METRICS_REFRESH_INTERVAL: "200ms",
    }));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`the service on ${base}: ${process.output().slice(-500)}`, async () => (await fetch(`${base}/readyz`).catch(() => null))?.ok, 60_000);
    return { process, base };
  }
  const deliveredIds = async (eventIds: string[]) =>
    (await pool().query(`SELECT id FROM webhook_deliveries WHERE event_id = ANY($1::uuid[]) AND state = 'delivered'`, [eventIds])).rows;

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startTestSimulator({ fleet: { subscriptions: 1, vmsPerSubscription: 3, seed: 11 } });
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await stopAll();
    await receiver?.close();
    await sim?.close();
    await database?.drop();
  });

  it("SIGKILLed while a delivery is in flight, or down when an event commits: the next process delivers both, same webhook-id", async () => {
    const first = await service();
    const created = await fetch(`${first.base}/v1/webhook-subscriptions`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url: receiver.url }),
    });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };

    receiver.respond(() => "hang");
    const [inFlight] = await appendEvents(pool(), events(1));
    const hung = await waitFor("the first attempt", () => receiver.received.find((r) => JSON.parse(r.body).id === inFlight));
    first.process.child.kill("SIGKILL");
    await first.process.exited;
    const [whileDown] = await appendEvents(pool(), events(1));
    receiver.respond(() => 204);

    const second = await service();
    await waitFor("both delivered", async () => (await deliveredIds([inFlight, whileDown])).length === 2, 30_000);
    const copies = receiver.received.filter((r) => JSON.parse(r.body).id === inFlight);
    expect(copies.map((r) => r.headers["webhook-id"])).toEqual([hung.headers["webhook-id"], hung.headers["webhook-id"]]);
    expect(copies.map((r) => r.status)).toEqual([null, 204]);
    for (const r of receiver.received) verifyWebhook(secret, r);
    expect(receiver.received.filter((r) => JSON.parse(r.body).id === whileDown)).toHaveLength(1);

    // Two replicas now: a second process beside the first survivor; each event still arrives once.
    const third = await service();
    const before = receiver.received.length;
    const ids = await appendEvents(pool(), events(100));
    const received = () => receiver.received.slice(before).map((r) => JSON.parse(r.body).id as string);
    // Recorded as delivered only after the receiver answered: once all 100 are, every send of them has arrived.
    await waitFor("100 delivered", async () => (await deliveredIds(ids)).length === 100 && received().length >= 100, 60_000);
    const got = received();
    expect(got.sort()).toEqual([...ids].sort());

    // The attempts made in the `deliver` worker threads reach each main thread's registry; the backlog gauges drain.
    const scrape = async (base: string) => (await (await fetch(`${base}/metrics`)).text()).split("\n");
    /** A sample's value; undefined when the series is absent. */
    const sample = (lines: string[], series: string) => {
      const line = lines.find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.split(" ")[1]);
    };
    await waitFor("the backlog gauges at zero", async () => {
      const lines = await scrape(third.base);
      return sample(lines, 'maintenance_planner_outbox_backlog{stage="fan-out"}') === 0 && sample(lines, 'maintenance_planner_outbox_backlog{stage="delivery"}') === 0;
    });
    const delivered = async (base: string) => sample(await scrape(base), 'maintenance_planner_webhook_attempts_total{outcome="delivered"}') ?? 0;
    expect((await delivered(second.base)) + (await delivered(third.base))).toBeGreaterThanOrEqual(100);
  });
});
