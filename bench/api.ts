// API read benchmark: `GET /v1/virtual-machines?limit=100` on the real app against a bare Fastify + pg route that
// runs the equivalent query on the same data, in the same run (the machine is noisy: only the ratio is stable).
import type { AddressInfo } from "node:net";
import autocannon from "autocannon";
import Fastify from "fastify";
import { buildApp } from "../src/app.js";
import { startSimulator } from "../src/azure/simulator/index.js";
import { requestSync } from "../src/services/sync.js";
import { createTestDatabase } from "../test/helpers/database.js";
import { gatewayFor } from "../test/helpers/simulator.js";

export interface ApiBenchResult {
  server: string;
  reqPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

/** The fleet and run length of the API read benchmarks (this one and bench/metrics.ts). */
export const FLEET = { subscriptions: 2, vmsPerSubscription: 1000, scaleSetsPerSubscription: 2, instancesPerScaleSet: 10, seed: 42 };
export const DURATION_SECONDS = 8;
const CONNECTIONS = 10;

/** What the app's list does, written directly: one query, the same JSON shape, no validation or serializer. */
const BARE_QUERY = `
SELECT v.*, m.customer_initiated_maintenance_allowed, m.self_service_window_start, m.self_service_window_end,
  m.scheduled_window_start, m.scheduled_window_end, m.last_operation_result_code, m.last_operation_message,
  m.observed_at, m.skipped_at, m.virtual_machine_id AS has_maintenance
FROM virtual_machines v LEFT JOIN maintenance_statuses m ON m.virtual_machine_id = v.id
WHERE v.gone_since IS NULL ORDER BY v.resource_id_key LIMIT 101`;

async function load(url: string): Promise<Omit<ApiBenchResult, "server">> {
  await autocannon({ url, connections: CONNECTIONS, amount: 500 }); // warm-up
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_SECONDS });
  return { reqPerSecond: Math.round(r.requests.total / DURATION_SECONDS), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx + r.errors };
}

export async function benchApi(): Promise<{ rows: ApiBenchResult[]; ratio: number }> {
  const database = await createTestDatabase();
  const simulator = await startSimulator({ fleet: FLEET, pageSize: 1000 });
  const pool = database.db.pool;
  const sync = { pool, gateway: gatewayFor(simulator), subscriptionIds: simulator.subscriptionIds, concurrency: 16 };
  const app = await buildApp({ db: database.db, sync, clock: () => new Date(), bookingPolicy: { minLeadSeconds: 300, endMarginSeconds: 1800 }, auth: { mode: "none" }, rateLimitPerMinute: 1_000_000 });
  const bare = Fastify();
  bare.get("/v1/virtual-machines", async () => {
    const { rows } = await pool.query(BARE_QUERY);
    const value = rows.slice(0, 100).map((r) => ({
      id: r.id, resourceId: r.resource_id, subscriptionId: r.subscription_id, resourceGroup: r.resource_group, name: r.name, location: r.location,
      scaleSet: r.scale_set_name ? { name: r.scale_set_name, instanceId: r.scale_set_instance_id } : null,
      availabilitySet: r.availability_set, zone: r.zone, platformUpdateDomain: r.platform_update_domain, platformFaultDomain: r.platform_fault_domain,
      tags: r.tags, powerState: r.power_state, firstSeenAt: r.first_seen_at, lastSeenAt: r.last_seen_at, goneSince: r.gone_since,
      maintenance: r.has_maintenance ? {
        customerInitiatedMaintenanceAllowed: r.customer_initiated_maintenance_allowed,
        selfServiceWindow: { start: r.self_service_window_start, end: r.self_service_window_end },
        scheduledWindow: { start: r.scheduled_window_start, end: r.scheduled_window_end },
        lastOperationResultCode: r.last_operation_result_code, lastOperationMessage: r.last_operation_message,
        observedAt: r.observed_at, skippedAt: r.skipped_at,
      } : null,
    }));
    return { value, nextLink: rows.length > 100 ? "next" : null };
  });
  try {
    const run = await (await requestSync(sync, "api")).finished;
    if (run.status !== "succeeded") throw new Error(`sync ended ${run.status}`);
    await app.listen({ host: "127.0.0.1", port: 0 });
    await bare.listen({ host: "127.0.0.1", port: 0 });
    const path = "/v1/virtual-machines?limit=100";
    const ours = await load(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}${path}`);
    const theirs = await load(`http://127.0.0.1:${(bare.server.address() as AddressInfo).port}${path}`);
    return {
      rows: [{ server: "Maintenance Planner", ...ours }, { server: "bare Fastify + pg, same query", ...theirs }],
      ratio: Math.round((ours.reqPerSecond / theirs.reqPerSecond) * 100) / 100,
    };
  } finally {
    await app.close();
    await bare.close();
    await simulator.close();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows, ratio } = await benchApi();
  console.table(rows);
  console.log(`req/s ratio (goal ≥ 0.5): ${ratio}`);
}
