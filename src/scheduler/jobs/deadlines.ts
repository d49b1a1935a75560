// Deadline alerts on a timer, in a short-lived bree worker thread. The sync announces them after every run, but
// time passes between syncs (SYNC_INTERVAL, 10 minutes by default, and a sync that another replica runs does not
// run the step here): this catches a threshold within DEADLINE_CHECK_INTERVAL_MS of passing it. Replicas may run
// it at once: the remembered warnings' unique key lets one of them announce each (services/deadline-alerts.ts).
import { parentPort, workerData } from "node:worker_threads";
import pg from "pg";
import { APPLICATION_NAME } from "../../db/application-name.js";
import { announceDeadlines } from "../../services/deadline-alerts.js";
import type { JobData } from "../scheduler.js";

const { runtime } = workerData as JobData;
// On stop, exit at once: the transaction rolls back with the connection and the next run does the work.
const onMessage = (message: unknown) => {
  if (message === "cancel") parentPort?.postMessage("cancelled");
};
parentPort?.on("message", onMessage);
// A bare pool: this runs every minute, and loading the Prisma client (db/client.ts) would add ~0.3 s to each run.
const pool = new pg.Pool({ connectionString: runtime.databaseUrl, max: 1, application_name: APPLICATION_NAME });
pool.on("error", () => undefined); // an idle connection lost: the query, if any, fails and the run with it
try {
  const announced = await announceDeadlines(pool, runtime.deadlineWarnings, new Date());
  if (announced) parentPort?.postMessage({ deadlineWarningsAnnounced: announced });
} finally {
  await pool.end();
  // A listener on the port keeps the thread alive, and bree starts no new run while the last one lives.
  parentPort?.off("message", onMessage);
}
