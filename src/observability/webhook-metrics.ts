// Webhook metrics: deliveries by outcome, latency from commit (the event's outbox time) to delivery, the
// request's own duration, and the outbox backlog. Attempts happen in the `deliver` worker thread and reach the
// registry as MetricEvents (metrics.ts); the backlog is read from the database, cheaply (partial indexes).
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { OutboxBacklog } from "../db/webhook-deliveries-repo.js";

export type WebhookAttemptEvent = {
  type: "webhook-attempt";
  /** delivered: 2xx; retrying: failed, tried again later; failed: the retry schedule is used up. */
  outcome: "delivered" | "retrying" | "failed";
  requestSeconds: number;
  /** Event time → this successful delivery; null unless delivered. */
  latencySeconds: number | null;
};

const p = "maintenance_planner_";

export function registerWebhookMetrics(registry: Registry, backlog?: () => Promise<OutboxBacklog>): (e: WebhookAttemptEvent) => void {
  const attempts = new Counter({ name: `${p}webhook_attempts_total`, help: "Webhook delivery attempts by outcome (delivered, retrying, failed)", labelNames: ["outcome"] as const, registers: [registry] });
  const request = new Histogram({
    name: `${p}webhook_request_duration_seconds`, help: "One webhook request, connect to answer (or error/timeout)", labelNames: ["outcome"] as const, registers: [registry],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const latency = new Histogram({
    name: `${p}webhook_delivery_latency_seconds`, help: "Event committed to the outbox → delivered (2xx), retries included", registers: [registry],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 21_600, 86_400],
  });
  if (backlog) {
    let last: Promise<OutboxBacklog> | null = null;
    // Both gauges come from one query per scrape.
    const read = () => (last ??= backlog().finally(() => setTimeout(() => (last = null), 0)));
    new Gauge({
      name: `${p}outbox_backlog`, help: "Undelivered work: events not yet fanned out (stage=fan-out), deliveries waiting for an attempt (stage=delivery)",
      labelNames: ["stage"] as const, registers: [registry],
      async collect() {
        const b = await read();
        this.set({ stage: "fan-out" }, b.notFannedOut);
        this.set({ stage: "delivery" }, b.pendingDeliveries);
      },
    });
    new Gauge({
      name: `${p}outbox_oldest_undelivered_age_seconds`, help: "Age of the oldest event not fanned out or with a delivery still pending (0: none)", registers: [registry],
      async collect() {
        this.set((await read()).oldestUndeliveredSeconds);
      },
    });
  }
  return (e) => {
    attempts.inc({ outcome: e.outcome });
    request.observe({ outcome: e.outcome }, e.requestSeconds);
    if (e.latencySeconds !== null) latency.observe(e.latencySeconds);
  };
}
