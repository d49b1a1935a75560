// Webhook metrics: deliveries by outcome, latency from commit (the event's outbox time) to delivery, the
// request's own duration, and the outbox backlog. Attempts happen in the `deliver` worker thread and reach the
// registry as MetricEvents (metrics.ts); the backlog is counted with the other database-derived gauges, on their
// own schedule (state-gauges.ts), cheaply (partial indexes).
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

export interface WebhookMetrics {
  attempt(e: WebhookAttemptEvent): void;
  /** From the state refresh (state-gauges.ts), like the other database-derived gauges. */
  setBacklog(b: OutboxBacklog): void;
}

export function registerWebhookMetrics(registry: Registry): WebhookMetrics {
  const attempts = new Counter({ name: `${p}webhook_attempts_total`, help: "Webhook delivery attempts by outcome (delivered, retrying, failed)", labelNames: ["outcome"] as const, registers: [registry] });
  const request = new Histogram({
    name: `${p}webhook_request_duration_seconds`, help: "One webhook request, connect to answer (or error/timeout)", labelNames: ["outcome"] as const, registers: [registry],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const latency = new Histogram({
    name: `${p}webhook_delivery_latency_seconds`, help: "Event committed to the outbox → delivered (2xx), retries included", registers: [registry],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 21_600, 86_400],
  });
  const backlog = new Gauge({
    name: `${p}outbox_backlog`, help: "Undelivered work as of the last state refresh: events not yet fanned out (stage=fan-out), deliveries waiting for an attempt (stage=delivery)",
    labelNames: ["stage"] as const, registers: [registry],
  });
  const oldest = new Gauge({ name: `${p}outbox_oldest_undelivered_age_seconds`, help: "Age of the oldest event not fanned out or with a delivery still pending, as of the last state refresh (0: none)", registers: [registry] });
  return {
    attempt(e) {
      attempts.inc({ outcome: e.outcome });
      request.observe({ outcome: e.outcome }, e.requestSeconds);
      if (e.latencySeconds !== null) latency.observe(e.latencySeconds);
    },
    setBacklog(b) {
      backlog.set({ stage: "fan-out" }, b.notFannedOut);
      backlog.set({ stage: "delivery" }, b.pendingDeliveries);
      oldest.set(b.oldestUndeliveredSeconds);
    },
  };
}
