// Scheduled sync, in a bree worker thread. Thin and idempotent: when a sync is already running anywhere (any
// replica, or one started through the API) requestSync answers with it and this run does nothing.
import { parentPort, workerData } from "node:worker_threads";
import { createServiceDeps } from "../../bootstrap/service-deps.js";
import { requestSync } from "../../services/sync.js";
import type { JobData } from "../scheduler.js";

const { runtime } = workerData as JobData;
const deps = await createServiceDeps(runtime, undefined, 4);
try {
  const request = await requestSync(deps.sync, "schedule");
  const run = await request.finished;
  parentPort?.postMessage({ syncRunId: run.id, status: run.status, started: request.started });
} finally {
  await deps.close();
}
