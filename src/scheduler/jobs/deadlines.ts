// Deadline alerts on a timer, in a short-lived bree worker thread. The sync announces them after every run, but
// time passes between syncs (SYNC_INTERVAL, 10 minutes by default, and a sync that another replica runs does not
// run the step here): this catches a threshold within DEADLINE_CHECK_INTERVAL_MS of passing it. Replicas may run
// it at once: the remembered warnings' unique key lets one of them announce each (services/deadline-alerts.ts).
// Cut short on stop, the transaction rolls back with the connection and the next run does the work.
import { announceDeadlines } from "../../services/deadline-alerts.js";
import { runShortJob } from "../short-job.js";

await runShortJob(async (pool, runtime) => {
  const announced = await announceDeadlines(pool, runtime.deadlineWarnings, new Date());
  return announced ? { deadlineWarningsAnnounced: announced } : null;
});
