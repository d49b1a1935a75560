// Retention in a bree worker thread, every hour (services/retention.ts). Replicas may run it at once: each delete
// skips the rows another has locked, so together they delete each row once. Cut short on stop, each delete has
// committed on its own or rolls back, and the next run goes on where this one stopped.
import { pruneExpired } from "../../services/retention.js";
import { runShortJob } from "../short-job.js";

await runShortJob(async (pool, runtime) => {
  const pruned = await pruneExpired(pool, runtime.retention, new Date());
  return Object.values(pruned).some((n) => n > 0) ? { pruned } : null;
});
