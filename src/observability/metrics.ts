// Prometheus metrics. One registry per app (tests build several). Work that runs in bree worker threads cannot
// touch this registry, so everything is reported as a MetricEvent: the main thread applies events directly,
// workers post them to the main thread (src/scheduler/scheduler.ts), which applies them here.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { armOperation } from "../azure/arm-operations.js";
import type { OutboxBacklog } from "../db/webhook-deliveries-repo.js";
import { registerWebhookMetrics, type WebhookAttemptEvent } from "./webhook-metrics.js";

export type MetricEvent =
  | { type: "arm-request"; operation: string; status: number | null; waitedMs: number }
  | { type: "sync-finished"; durationSeconds: number; status: string; windowsNew: number; windowsChanged: number; windowsCleared: number; vmsGone: number }
  | { type: "execution-finished"; outcome: string }
  | { type: "dispatch-lag"; seconds: number }
  | { type: "lease-takeover" }
  | WebhookAttemptEvent;

export type MetricsSink = (event: MetricEvent) => void;

/** Current-state counts from the database, refreshed on their own schedule (src/observability/state-gauges.ts). */
export interface StateCounts {
  vmsByMaintenance(): Promise<Record<string, number>>;
  bookingsByState(): Promise<Record<string, number>>;
  outboxBacklog?(): Promise<OutboxBacklog>;
}

export interface Metrics {
  registry: Registry;
  apply: MetricsSink;
  httpDuration: Histogram<"method" | "route" | "status_code">;
  /** Sets the current-state gauges (a scrape only reads them: it never queries the database). */
  setState(state: { vmsByMaintenance: Record<string, number>; bookingsByState: Record<string, number>; outboxBacklog?: OutboxBacklog }, at: Date): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "maintenance_planner_process_" });
  const p = "maintenance_planner_";

  const httpDuration = new Histogram({
    name: `${p}http_request_duration_seconds`, help: "HTTP request duration by route and status",
    labelNames: ["method", "route", "status_code"] as const, registers: [registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  const armRequests = new Counter({ name: `${p}arm_requests_total`, help: "ARM requests sent, by operation and HTTP status (429s included)", labelNames: ["operation", "status"] as const, registers: [registry] });
  const armWait = new Counter({ name: `${p}arm_budget_wait_seconds_total`, help: "Time ARM requests waited for the client-side budget (pacing and Retry-After)", labelNames: ["operation"] as const, registers: [registry] });
  const syncDuration = new Histogram({ name: `${p}sync_duration_seconds`, help: "Sync run duration", labelNames: ["status"] as const, registers: [registry], buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800] });
  const windows = new Counter({ name: `${p}sync_windows_total`, help: "Maintenance windows that appeared (new), moved or changed (changed), or were cleared", labelNames: ["change"] as const, registers: [registry] });
  const vmsGone = new Counter({ name: `${p}sync_vms_gone_total`, help: "VMs no longer listed by Azure", registers: [registry] });
  const executions = new Counter({ name: `${p}executions_total`, help: "Booking executions by final outcome", labelNames: ["outcome"] as const, registers: [registry] });
  const dispatchLag = new Histogram({ name: `${p}dispatch_lag_seconds`, help: "Booked start time → performMaintenance request", registers: [registry], buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900] });
  const takeovers = new Counter({ name: `${p}lease_takeovers_total`, help: "Bookings taken over from an expired lease", registers: [registry] });

  const webhooks = registerWebhookMetrics(registry);
  const vms = new Gauge({ name: `${p}virtual_machines`, help: "VMs (not gone) by maintenance state, as of the last state refresh", labelNames: ["maintenance"] as const, registers: [registry] });
  const bookings = new Gauge({ name: `${p}bookings`, help: "Bookings by state, as of the last state refresh", labelNames: ["state"] as const, registers: [registry] });
  const refreshedAt = new Gauge({ name: `${p}state_refreshed_timestamp_seconds`, help: "When the database-derived gauges were last refreshed (METRICS_REFRESH_INTERVAL)", registers: [registry] });
  const setState: Metrics["setState"] = (state, at) => {
    vms.reset();
    for (const [k, v] of Object.entries(state.vmsByMaintenance)) vms.set({ maintenance: k }, v);
    bookings.reset();
    for (const [k, v] of Object.entries(state.bookingsByState)) bookings.set({ state: k }, v);
    if (state.outboxBacklog) webhooks.setBacklog(state.outboxBacklog);
    refreshedAt.set(at.getTime() / 1000);
  };

  const apply: MetricsSink = (e) => {
    switch (e.type) {
      case "arm-request":
        armRequests.inc({ operation: e.operation, status: e.status === null ? "none" : String(e.status) });
        if (e.waitedMs > 0) armWait.inc({ operation: e.operation }, e.waitedMs / 1000);
        break;
      case "sync-finished":
        syncDuration.observe({ status: e.status }, e.durationSeconds);
        windows.inc({ change: "new" }, e.windowsNew);
        windows.inc({ change: "changed" }, e.windowsChanged);
        windows.inc({ change: "cleared" }, e.windowsCleared);
        vmsGone.inc(e.vmsGone);
        break;
      case "execution-finished":
        executions.inc({ outcome: e.outcome });
        break;
      case "dispatch-lag":
        dispatchLag.observe(e.seconds);
        break;
      case "lease-takeover":
        takeovers.inc();
        break;
      case "webhook-attempt":
        webhooks.attempt(e);
        break;
    }
  };
  return { registry, apply, httpDuration, setState };
}

/** The metric event for one ARM request the gateway sent (its `onRequest` hook). */
export function armRequestEvent(e: { method: string; url: string; status: number | null; waitedMs: number }): MetricEvent {
  return { type: "arm-request", operation: armOperation(e.method, e.url), status: e.status, waitedMs: e.waitedMs };
}
