// bree setup. bree keeps schedules in memory and runs each job in its own worker thread; it knows nothing of
// other replicas, so every job asks Postgres what may run (see each job).
import path from "node:path";
import { fileURLToPath } from "node:url";
import Bree from "bree";
import type { Runtime } from "../bootstrap/runtime.js";

export interface JobData {
  runtime: Runtime;
  jobModule: string;
}

export interface SchedulerOptions {
  runtime: Runtime;
  syncIntervalMs: number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** How long stop() waits for running jobs before terminating their workers. */
  stopTimeoutMs?: number;
}

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
  const bree = new Bree({
    root: false,
    doRootCheck: false,
    logger: false,
    jobs: [job("sync", opts.runtime, { interval: opts.syncIntervalMs, timeout: 0 })],
    errorHandler: (error, data) => opts.log.error({ err: error, job: data.name }, "scheduled job failed"),
    workerMessageHandler: (data) => opts.log.info({ job: data.name, message: data.message }, "job message"),
  });
  await bree.start();
  return {
    async stop() {
      // bree.stop() waits without a deadline for a job that ignores cancel; the database makes an
      // interrupted job safe to abandon (a sync's advisory lock dies with its connection).
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, opts.stopTimeoutMs ?? 10_000).unref());
      await Promise.race([bree.stop(), deadline]);
    },
  };
}
