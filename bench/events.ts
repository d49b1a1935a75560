// Webhook benchmark on the deployed process: the service (`node --import tsx src/main.ts`, its bree `deliver`
// worker thread, default delivery settings) delivers to a local receiver that verifies every signature with the
// `standardwebhooks` library. Two runs: a burst of 10,000 events committed as fast as the outbox takes them
// (throughput, and latency under that backlog), then events at a steady 20/s (latency at rest). Latency is the
// event's outbox `time` (its transaction) → the receiver has the request.
import { randomBytes, randomUUID } from "node:crypto";
import { appendEvents, type NewEvent } from "../src/db/outbox-repo.js";
import { createTestDatabase } from "../test/helpers/database.js";
import { freePort, serviceEnv, startService, stopAll } from "../test/helpers/service-process.js";
import { startTestSimulator } from "../test/helpers/simulator.js";
import { startWebhookReceiver, verifyWebhook, waitFor } from "../test/helpers/webhook-receiver.js";

const BURST = 10_000;
const AT_REST = { events: 300, perSecond: 20 };

export interface EventsBenchResult {
  scenario: string;
  events: number;
  deliveredPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  wallSeconds: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function batchOf(n: number): NewEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    name: "booking.rescheduled", source: "/v1/bookings", subject: randomUUID(), data: { booking: { i } }, subscriptionId: null, resourceGroup: null,
  }));
}

export async function runEventsBenchmarks(): Promise<EventsBenchResult[]> {
  const database = await createTestDatabase({ max: 10 });
  const sim = await startTestSimulator({ fleet: { subscriptions: 1, vmsPerSubscription: 3, seed: 1 } });
  const receiver = await startWebhookReceiver(() => 204);
  try {
    const port = await freePort();
    const service = startService(serviceEnv(sim, database.url, {
      PORT: String(port), WEBHOOK_SECRET_KEY: randomBytes(32).toString("base64"), WEBHOOK_ALLOW_INSECURE: "true", LOG_LEVEL: "error",
    }));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`the service: ${service.output().slice(-300)}`, async () => (await fetch(`${base}/readyz`).catch(() => null))?.ok, 120_000);
    const created = await fetch(`${base}/v1/webhook-subscriptions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url: receiver.url }) });
    if (created.status !== 201) throw new Error(`subscription: ${created.status} ${await created.text()}`);
    const { secret } = (await created.json()) as { secret: string };

    const measure = async (scenario: string, write: () => Promise<string[]>): Promise<EventsBenchResult> => {
      const from = receiver.received.length;
      const started = performance.now();
      const ids = new Set(await write());
      // Only the benchmark's own events count: the service announces its own too (its sync's windows, deadlines).
      const ours = () => receiver.received.slice(from).map((r) => ({ r, event: verifyWebhook(secret, r) })).filter(({ event }) => ids.has(event.id));
      await waitFor(`${ids.size} deliveries`, () => receiver.received.length - from >= ids.size && ours().length >= ids.size, 15 * 60_000);
      const wallSeconds = (performance.now() - started) / 1000;
      const delivered = ours();
      const got = delivered.map(({ r }) => r);
      const { rows } = await database.db.pool.query<{ id: string; time: Date }>(`SELECT id, time FROM outbox_events WHERE id = ANY($1::uuid[])`, [[...ids]]);
      const timeOf = new Map(rows.map((r) => [r.id, r.time.getTime()]));
      const latencies = delivered.map(({ r, event }) => r.at - timeOf.get(event.id)!).sort((a, b) => a - b);
      if (new Set(got.map((r) => r.headers["webhook-id"])).size !== ids.size) throw new Error("an event was delivered twice");
      const span = (Math.max(...got.map((r) => r.at)) - Math.min(...rows.map((r) => r.time.getTime()))) / 1000;
      return {
        scenario, events: ids.size, deliveredPerSecond: Math.round(ids.size / span),
        latencyP50Ms: Math.round(percentile(latencies, 50)), latencyP99Ms: Math.round(percentile(latencies, 99)), wallSeconds: Math.round(wallSeconds * 10) / 10,
      };
    };

    const burst = await measure(`burst: ${BURST} events committed at once (100 per transaction)`, async () => {
      const ids: string[] = [];
      for (let i = 0; i < BURST; i += 100) ids.push(...(await appendEvents(database.db.pool, batchOf(100))));
      return ids;
    });
    const atRest = await measure(`at rest: ${AT_REST.events} events, ${AT_REST.perSecond}/s, one per transaction`, async () => {
      const ids: string[] = [];
      for (let i = 0; i < AT_REST.events; i++) {
        ids.push(...(await appendEvents(database.db.pool, batchOf(1))));
        await new Promise((r) => setTimeout(r, 1000 / AT_REST.perSecond));
      }
      return ids;
    });
    return [burst, atRest];
  } finally {
    await stopAll();
    await receiver.close();
    await sim.close();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await runEventsBenchmarks());
