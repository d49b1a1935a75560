// A short-lived bree job (deadlines, retention): one run on a bare pool, then the worker thread ends.
import { parentPort, workerData } from "node:worker_threads";
import pg from "pg";
import { APPLICATION_NAME } from "../db/application-name.js";
import type { Runtime } from "../bootstrap/runtime.js";
import type { JobData } from "./scheduler.js";

/** Runs `task` once; a non-null result is posted to the main thread (logged there). */
export async function runShortJob(task: (pool: pg.Pool, runtime: Runtime) => Promise<object | null>): Promise<void> {
  const { runtime } = workerData as JobData;
  // On stop, exit at once: the job's work is safe to cut short (each job says why) and the next run does the rest.
  const onMessage = (message: unknown) => {
    if (message === "cancel") parentPort?.postMessage("cancelled");
  };
  parentPort?.on("message", onMessage);
  // A bare pool: loading the Prisma client (db/client.ts) would add ~0.3 s to each run.
  const pool = new pg.Pool({ connectionString: runtime.databaseUrl, max: 1, application_name: APPLICATION_NAME });
  pool.on("error", () => undefined); // an idle connection lost: the query, if any, fails and the run with it
  try {
    const result = await task(pool, runtime);
    if (result) parentPort?.postMessage(result);
  } finally {
    await pool.end();
    // A listener on the port keeps the thread alive, and bree starts no new run while the last one lives.
    parentPort?.off("message", onMessage);
  }
}
