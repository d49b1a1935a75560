// Webhook delivery, in a long-lived bree worker thread (like dispatch): started at boot, kept running, and
// stopped on bree's `cancel` after the requests in flight finish. Replicas share the deliveries through leases in
// Postgres. Without a WEBHOOK_SECRET_KEY (azure mode) it idles: nothing can be signed.
import { parentPort, workerData } from "node:worker_threads";
import { pino } from "pino";
import { postMetric, type JobData } from "../scheduler.js";

const { runtime } = workerData as JobData;
const settings = runtime.webhooks;
const log = pino({ level: runtime.logLevel, base: { job: "deliver" } });

let stop: () => Promise<void> = async () => undefined;
if (!settings.secretKey) {
  log.info("webhooks are off (no WEBHOOK_SECRET_KEY): the delivery job idles");
} else {
  // Loaded only when there is work to do: an idle job stays a cheap thread (no database client, no HTTP agents).
  const [{ createDb }, { createWebhookSender }, { startDeliveryWorker }] = await Promise.all([
    import("../../db/client.js"), import("../../services/webhook-sender.js"), import("../../services/webhook-worker.js"),
  ]);
  const db = createDb(runtime.databaseUrl, { max: 10, connectionTimeoutMs: runtime.databasePoolTimeoutMs, onPoolError: (err) => log.warn({ err }, "idle database connection lost") });
  const sender = createWebhookSender({ timeoutMs: settings.timeoutMs, allowInsecure: settings.allowInsecure });
  const worker = startDeliveryWorker(
    {
      pool: db.pool, sender, key: Buffer.from(settings.secretKey, "base64"), log,
      // No heartbeat: the lease outlasts the longest request by LEASE_DURATION.
      leaseMs: settings.timeoutMs + runtime.scheduler.leaseDurationMs, metrics: postMetric,
      rules: { scheduleMs: settings.retryScheduleMs, disableAfterMs: settings.disableAfterMs },
    },
    { pollIntervalMs: settings.pollIntervalMs, concurrency: settings.concurrency },
  );
  stop = async () => {
    await worker.stop();
    sender.close();
    await db.close();
  };
}

parentPort?.on("message", (message) => {
  if (message !== "cancel") return;
  void stop()
    .catch((err: unknown) => log.error({ err }, "delivery worker did not stop cleanly"))
    .finally(() => parentPort?.postMessage("cancelled"));
});
