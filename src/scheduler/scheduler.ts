// bree setup. bree keeps schedules in memory and runs each job in its own worker thread; it knows nothing of
// other replicas, so every job asks Postgres what may run (see each job).
import path from "node:path";
import { fileURLToPath } from "node:url";
import Bree from "bree";
import { parentPort } from "node:worker_threads";
import type { Runtime } from "../bootstrap/runtime.js";
import type { MetricEvent, MetricsSink } from "../observability/metrics.js";
import type { ArmBudget } from "../azure/arm-budget.js";
import { isBudgetMessage, RemoteArmBudget, serveBudgetMessage } from "../azure/arm-budget-remote.js";
import { batchingPoster, unbatch } from "./message-batches.js";

export interface JobData {
  runtime: Runtime;
  jobModule: string;
}

/** In a job's worker thread: metric events and budget requests to the main thread, batched per turn. */
const toMain = parentPort ? batchingPoster((message) => parentPort!.postMessage(message)) : null;

/** In a job's worker thread: hands a metric event to the main thread, which owns the registry. */
export const postMetric: MetricsSink = (event) => toMain?.({ metric: event });

/** In a job's worker thread: the process's one ARM budget, kept by the main thread (startScheduler serves it). */
export function jobBudget(): ArmBudget {
  if (!parentPort || !toMain) throw new Error("jobBudget() runs in a bree worker thread only");
  const port = parentPort;
  return new RemoteArmBudget({ postMessage: toMain, on: (event, listener) => port.on(event, (message) => unbatch(message).forEach(listener)) });
}

function isMetricMessage(message: unknown): message is { metric: MetricEvent } {
  return typeof message === "object" && message !== null && "metric" in message;
}

export interface SchedulerOptions {
  runtime: Runtime;
  /** Applies metric events that jobs post from their worker threads. */
  metrics?: MetricsSink;
  /** The process's ARM budget, served to the jobs' worker threads. */
  budget: ArmBudget;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** The dispatch and deliver jobs loop until cancelled; if a worker ever dies, bree starts it again after this long. */
const LOOP_RESTART_MS = 5_000;

/**
 * How often the `deadlines` job looks for deadline warnings that came due between syncs: one indexed query, so a
 * warning comes at most a minute late (against 12 hours, the tightest default threshold). Not at start: the
 * start-up sync runs the same step.
 */
const DEADLINE_CHECK_INTERVAL_MS = 60_000;

/**
 * The `retention` job prunes what is kept for a time only (services/retention.ts): hourly is plenty against
 * retentions of days. Its first run comes a few minutes after start, off the start-up sync's path.
 */
const RETENTION_INTERVAL_MS = 3_600_000;
const RETENTION_FIRST_RUN_MS = 5 * 60_000;

const here = path.dirname(fileURLToPath(import.meta.url));
const fromSources = import.meta.url.endsWith(".ts");

function job(name: string, runtime: Runtime, schedule: { interval: number; timeout: number | false }): Bree.JobOptions {
  const jobModule = path.join(here, "jobs", `${name}${fromSources ? ".ts" : ".js"}`);
  const data: JobData = { runtime, jobModule };
  return {
    name,
    path: fromSources ? path.join(here, "worker-bootstrap.mjs") : jobModule,
    ...schedule,
    worker: { workerData: data },
  };
}

export interface Scheduler {
  stop(): Promise<void>;
}

export async function startScheduler(opts: SchedulerOptions): Promise<Scheduler> {
  // bree terminates a worker once it has answered `cancel`, and reports that as "exited with code 1".
  let stopping = false;
  // Replies to each worker's budget requests, batched per turn like the requests (a new worker, a new poster).
  const posters = new WeakMap<object, (message: unknown) => void>();
  const replyTo = (name: string) => (reply: unknown) => {
    const worker = bree.workers.get(name);
    if (!worker) return;
    let post = posters.get(worker);
    if (!post) posters.set(worker, (post = batchingPoster((message) => worker.postMessage(message))));
    post(reply);
  };
  const bree = new Bree({
    root: false,
    doRootCheck: false,
    logger: false,
    jobs: [
      job("sync", opts.runtime, { interval: opts.runtime.scheduler.syncIntervalMs, timeout: 0 }),
      job("dispatch", opts.runtime, { interval: Math.max(LOOP_RESTART_MS, opts.runtime.scheduler.dispatchIntervalMs), timeout: 0 }),
      job("deliver", opts.runtime, { interval: LOOP_RESTART_MS, timeout: 0 }),
      job("retention", opts.runtime, { interval: RETENTION_INTERVAL_MS, timeout: RETENTION_FIRST_RUN_MS }),
      ...(opts.runtime.deadlineWarnings.length ? [job("deadlines", opts.runtime, { interval: DEADLINE_CHECK_INTERVAL_MS, timeout: false })] : []),
    ],
    errorHandler: (error, data) => {
      if (stopping) opts.log.info({ job: data.name }, "job worker ended on stop");
      else opts.log.error({ err: error, job: data.name }, "scheduled job failed");
    },
    workerMessageHandler: (data) => {
      // bree.stop() waits for `cancelled` with worker.once("message"): a metric event posted in the meantime takes
      // that one call and `cancelled` goes unseen, so stop() would wait out the deadline. This handler sees every
      // message, so it finishes the worker itself.
      if (stopping && data.message === "cancelled") return void bree.workers.get(data.name)?.terminate();
      for (const message of unbatch(data.message)) {
        if (isBudgetMessage(message)) void serveBudgetMessage(opts.budget, message, replyTo(data.name));
        else if (isMetricMessage(message)) opts.metrics?.(message.metric);
        else if (message !== "done") opts.log.info({ job: data.name, message }, "job message");
      }
    },
  });
  await bree.start();
  return {
    async stop() {
      stopping = true;
      // bree.stop() sends each worker `cancel` and waits without a deadline; the database makes an interrupted
      // job safe to abandon (a sync's advisory lock dies with its connection, a booking's lease expires).
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, opts.runtime.scheduler.shutdownTimeoutMs).unref());
      await Promise.race([bree.stop(), deadline]);
    },
  };
}
