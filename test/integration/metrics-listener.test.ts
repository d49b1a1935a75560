// The real service with METRICS_PORT and METRICS_BEARER_TOKEN: /metrics only on its own listener and only with the
// token; the API port no longer serves it; the database gauges fill in on their schedule (METRICS_REFRESH_INTERVAL).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/azure/simulator/index.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { freePort, serviceEnv, startService, stopAll, until } from "../helpers/service-process.js";
import { startTestSimulator } from "../helpers/simulator.js";

describe("/metrics on METRICS_PORT", () => {
  let database: TestDatabase;
  let sim: Simulator;
  let api: string;
  let metrics: string;
  beforeAll(async () => {
    database = await createTestDatabase({ max: 1 });
    sim = await startTestSimulator({ fleet: { subscriptions: 1, vmsPerSubscription: 5, scaleSetsPerSubscription: 0 } });
    const [port, metricsPort] = [await freePort(), await freePort()];
    [api, metrics] = [`http://127.0.0.1:${port}`, `http://127.0.0.1:${metricsPort}`];
    startService(serviceEnv(sim, database.url, {
      PORT: String(port), METRICS_PORT: String(metricsPort), METRICS_BEARER_TOKEN: "scrape-secret", METRICS_REFRESH_INTERVAL: "200ms",
    }));
    await until("the service", async () => ((await fetch(`${api}/readyz`)).ok ? true : undefined));
  }, 60_000);
  afterAll(async () => {
    await stopAll();
    await sim?.close();
    await database?.drop();
  });

  it("serves metrics only there, only with the token, with the gauges refreshed after the start-up sync", async () => {
    expect((await fetch(`${api}/metrics`)).status).toBe(404);
    const open = await fetch(`${metrics}/metrics`);
    expect(open.status).toBe(401);
    expect(open.headers.get("content-type")).toContain("application/problem+json");
    expect((await fetch(`${metrics}/v1/virtual-machines`)).status).toBe(404);
    const total = await until("the VM gauges to count the synced fleet", async () => {
      const text = await (await fetch(`${metrics}/metrics`, { headers: { authorization: "Bearer scrape-secret" } })).text();
      const sum = [...text.matchAll(/^maintenance_planner_virtual_machines\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
      return sum === sim.vms().length ? sum : undefined;
    });
    expect(total).toBe(5);
  });
});
