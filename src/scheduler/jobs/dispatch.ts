// The dispatch loop, in a long-lived bree worker thread: started once at boot and kept running (bree restarts it
// if it ever exits). bree guards against overlap only inside one process; across replicas the leases in Postgres
// decide who runs a booking. On bree's `cancel` (graceful stop) it stops claiming, lets in-flight bookings reach a
// safe point, releases its leases and reports `cancelled`.
import { parentPort, workerData } from "node:worker_threads";
import { pino } from "pino";
import { createServiceDeps } from "../../bootstrap/service-deps.js";
import { RETRY_DELAYS, startExecutionDispatcher } from "../../services/execution-dispatch.js";
import { jobBudget, postMetric, type JobData } from "../scheduler.js";

const { runtime } = workerData as JobData;
const settings = runtime.scheduler;
const log = pino({ level: runtime.logLevel, base: { job: "dispatch" } });
// No SDK retries: every try is an attempt row with our own backoff (retry-policy.ts); the gateway still paces
// requests to ARM's per-subscription budgets (azure/arm-budget.ts).
// A wait for ARM budget (a Compute Retry-After can be 20 minutes) is never slept through while holding a lease:
// past half the lease the request is refused and the retry policy plans the attempt, or ends it at the window.
const deps = await createServiceDeps(runtime, {
  log,
  poolSize: 10,
  arm: { retry: { maxRetries: 0 }, pollIntervalMs: settings.operationPollIntervalMs, maxBudgetWaitMs: settings.leaseDurationMs / 2 },
  metrics: postMetric,
  budget: jobBudget(),
});
const dispatcher = startExecutionDispatcher(
  { pool: deps.db.pool, gateway: deps.gateway, log, metrics: postMetric },
  {
    ...RETRY_DELAYS,
    dispatchIntervalMs: settings.dispatchIntervalMs,
    leaseDurationMs: settings.leaseDurationMs,
    misfireGraceSeconds: settings.misfireGraceSeconds,
    planner: settings.planner,
    maxAttempts: settings.executionMaxAttempts,
  },
);

parentPort?.on("message", (message) => {
  if (message !== "cancel") return;
  void dispatcher
    .stop()
    .catch((err: unknown) => log.error({ err }, "dispatcher did not stop cleanly"))
    .finally(() => deps.close().finally(() => parentPort?.postMessage("cancelled")));
});
