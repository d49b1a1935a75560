// /metrics under load must not hurt the API (issue 10: 50 concurrent scrapes took the VM list's p50 from 15 ms to
// 2 s, because each scrape ran five counting queries on the API's pool). Runs the deployed process (node on
// src/main.ts against a fresh database and the simulator), and measures GET /v1/virtual-machines?limit=10 with one
// connection, idle and while 50 connections scrape /metrics back to back — on the API's port, and on METRICS_PORT.
import autocannon from "autocannon";
import { startSimulator } from "../src/azure/simulator/index.js";
import { FLEET } from "./api.js";
import { createTestDatabase } from "../test/helpers/database.js";
import { freePort, serviceEnv, startService, stopAll, until } from "../test/helpers/service-process.js";

const DURATION_SECONDS = 8;

export interface MetricsBenchResult {
  metricsOn: string;
  phase: string;
  apiP50Ms: number;
  apiP99Ms: number;
  apiReqPerSecond: number;
  scrapesPerSecond: number;
  scrapeP50Ms: number;
}

const SCRAPERS = 50;
const API_PATH = "/v1/virtual-machines?limit=10";

type Result = Awaited<ReturnType<typeof autocannon>>;
const rate = (r: Result) => Math.round(r.requests.total / DURATION_SECONDS);

async function measure(api: string, metricsUrl: string, label: string): Promise<MetricsBenchResult[]> {
  await autocannon({ url: `${api}${API_PATH}`, connections: 1, amount: 300 }); // warm-up
  await autocannon({ url: metricsUrl, connections: SCRAPERS, amount: 500 });
  const idle = await autocannon({ url: `${api}${API_PATH}`, connections: 1, duration: DURATION_SECONDS });
  const [loaded, scrapes] = await Promise.all([
    autocannon({ url: `${api}${API_PATH}`, connections: 1, duration: DURATION_SECONDS }),
    autocannon({ url: metricsUrl, connections: SCRAPERS, duration: DURATION_SECONDS }),
  ]);
  for (const r of [idle, loaded, scrapes]) if (r.non2xx + r.errors > 0) throw new Error(`${label}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return [
    { metricsOn: label, phase: "idle", apiP50Ms: idle.latency.p50, apiP99Ms: idle.latency.p99, apiReqPerSecond: rate(idle), scrapesPerSecond: 0, scrapeP50Ms: 0 },
    { metricsOn: label, phase: `${SCRAPERS} scrapers`, apiP50Ms: loaded.latency.p50, apiP99Ms: loaded.latency.p99, apiReqPerSecond: rate(loaded), scrapesPerSecond: rate(scrapes), scrapeP50Ms: scrapes.latency.p50 },
  ];
}

/** One service process; `separatePort`: /metrics on METRICS_PORT instead of the API's port. */
async function run(separatePort: boolean): Promise<MetricsBenchResult[]> {
  const database = await createTestDatabase({ max: 1 });
  const simulator = await startSimulator({ fleet: FLEET, pageSize: 1000 });
  try {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const api = `http://127.0.0.1:${port}`;
    startService(serviceEnv(simulator, database.url, {
      PORT: String(port), RATE_LIMIT_PER_MINUTE: "1000000", ...(separatePort ? { METRICS_PORT: String(metricsPort) } : {}),
    }));
    // The sync job runs at start; measure once it has finished.
    await until("the start-up sync", async () => {
      const runs = (await (await fetch(`${api}/v1/sync-runs?limit=1`)).json()) as { value: { status: string }[] };
      return runs.value[0] && runs.value[0].status !== "running" ? true : undefined;
    }, 120_000);
    const metricsUrl = separatePort ? `http://127.0.0.1:${metricsPort}/metrics` : `${api}/metrics`;
    return await measure(api, metricsUrl, separatePort ? "METRICS_PORT" : "API port");
  } finally {
    await stopAll();
    await simulator.close();
    await database.drop();
  }
}

export async function benchMetrics(): Promise<{ rows: MetricsBenchResult[]; ratios: string[] }> {
  const rows = [...(await run(false)), ...(await run(true))];
  const ratios = [0, 2].map((i) => `${rows[i].metricsOn}: API p50 with ${SCRAPERS} scrapers / idle = ${(rows[i + 1].apiP50Ms / rows[i].apiP50Ms).toFixed(2)}× (goal ≤ 2×)`);
  return { rows, ratios };
}
