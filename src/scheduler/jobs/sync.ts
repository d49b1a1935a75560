// Scheduled sync, in a bree worker thread. Thin and idempotent: when a sync is already running anywhere (any
// replica, or one started through the API) requestSync answers with it and this run does nothing.
import { parentPort, workerData } from "node:worker_threads";
import { createServiceDeps } from "../../bootstrap/service-deps.js";
import { requestSync } from "../../services/sync.js";
import { jobBudget, postMetric, type JobData } from "../scheduler.js";

const { runtime } = workerData as JobData;
// On stop, abandon the run at once: its advisory lock dies with the connection and the next run marks it abandoned.
parentPort?.on("message", (message) => {
  if (message === "cancel") parentPort?.postMessage("cancelled");
});
const deps = await createServiceDeps(runtime, { poolSize: 4, metrics: postMetric, budget: jobBudget() });
try {
  const request = await requestSync(deps.sync, "schedule");
  const run = await request.finished;
  parentPort?.postMessage({ syncRunId: run.id, status: run.status, started: request.started });
} finally {
  await deps.close();
  // The listeners on parentPort (cancel, the budget's replies) keep this thread alive, and bree skips every later
  // run of a job whose worker still lives: say "done" so bree ends the worker and SYNC_INTERVAL runs it again.
  parentPort?.postMessage("done");
}
