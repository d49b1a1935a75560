// `npm run bench [name…]`: runs each registered benchmark (or the named ones) in turn and prints its table.
// Register one line per benchmark.
import { benchApi, profileNotes } from "./api.js";
import { benchBookingBatch, benchBookingCreate } from "./bookings.js";
import { benchPage } from "./page.js";
import { runSyncBenchmarks } from "./sync.js";
import { runDispatchBenchmarks, runPlannerBenchmarks } from "./dispatch.js";
import { runEventsBenchmarks } from "./events.js";
import { benchMetrics } from "./metrics.js";
import { runAutoBookBenchmark } from "./autobook.js";

interface Benchmark {
  name: string;
  run(): Promise<{ rows: object[]; notes?: string[] }>;
}

const BENCHMARKS: Benchmark[] = [
  {
    name: "api",
    run: async () => {
      const { rows, ratio, profile } = await benchApi();
      return { rows, notes: [`deployed process req/s vs the bare route (goal ≥ 0.5): ${ratio}`, ...profileNotes(profile)] };
    },
  },
  { name: "page", run: async () => ({ rows: await benchPage() }) },
  { name: "sync", run: async () => ({ rows: await runSyncBenchmarks() }) },
  { name: "bookings", run: async () => ({ rows: await benchBookingCreate() }) },
  { name: "events", run: async () => ({ rows: await runEventsBenchmarks(), notes: ["latency: the event's outbox time → the receiver has the request"] }) },
  { name: "booking-batches", run: async () => ({ rows: await benchBookingBatch() }) },
  {
    name: "autobook",
    run: async () => ({ rows: await runAutoBookBenchmark(), notes: ["10,000 VMs gaining windows in one sync, 200 autoBook groups: time from the sync's end to every booking committed (goal ≤ 10 s)"] }),
  },
  { name: "metrics", run: async () => { const { rows, ratios } = await benchMetrics(); return { rows, notes: ratios }; } },
  {
    name: "dispatch",
    run: async () => {
      const { results, ratio } = await runDispatchBenchmarks();
      const planner = await runPlannerBenchmarks();
      return {
        rows: [...results, ...planner.rows],
        notes: [
          `dispatcher (50 subscriptions) / pg-boss throughput ratio (goal ≥ 1.0): ${ratio}`,
          `planner claim decisions/s vs the same bookings in no set or group (goal ≥ 0.8): ${planner.ratio}`,
          `plan preview of 10,000 bookings on the deployed service (goal ≤ 2 s): ${planner.previewMs.join(", ")} ms`,
        ],
      };
    },
  },
];

const only = process.argv.slice(2);
for (const bench of BENCHMARKS.filter((b) => only.length === 0 || only.includes(b.name))) {
  console.log(`\n## ${bench.name}`);
  const { rows, notes = [] } = await bench.run();
  console.table(rows);
  for (const note of notes) console.log(note);
}
