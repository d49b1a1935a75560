// The database-derived gauges (VMs by maintenance state, bookings by state) are counted on their own schedule,
// every METRICS_REFRESH_INTERVAL, on a database connection of their own — never per scrape and never on the API's
// pool: fifty concurrent scrapes used to run 250 counting queries on it and slowed the API a hundredfold (issue 10).
// A scrape reads the last values; `maintenance_planner_state_refreshed_timestamp_seconds` says how old they are.
import type { Metrics, StateCounts } from "./metrics.js";

export interface StateGauges {
  /** Counts now (after any refresh in progress) and updates the gauges; never rejects. */
  refresh(): Promise<void>;
  stop(): void;
}

export interface StateGaugesOptions {
  intervalMs: number;
  log?: { warn(obj: object, msg: string): void };
}

export function startStateGauges(metrics: Metrics, counts: StateCounts, { intervalMs, log }: StateGaugesOptions): StateGauges {
  let busy = false;
  let chain = Promise.resolve();
  const once = async () => {
    busy = true;
    try {
      const [vmsByMaintenance, bookingsByState, outboxBacklog] = await Promise.all([counts.vmsByMaintenance(), counts.bookingsByState(), counts.outboxBacklog?.()]);
      metrics.setState({ vmsByMaintenance, bookingsByState, outboxBacklog }, new Date());
    } catch (err) {
      // The gauges keep their last values (their timestamp tells); the next tick tries again.
      log?.warn({ err }, "metrics: refreshing the database gauges failed");
    } finally {
      busy = false;
    }
  };
  const refresh = () => (chain = chain.then(once));
  void refresh();
  // A tick while a refresh is still running is skipped rather than queued: a slow database gets no pile-up.
  const timer = setInterval(() => busy || void refresh(), intervalMs);
  timer.unref();
  return { refresh, stop: () => clearInterval(timer) };
}
