// /metrics: Prometheus text with HTTP durations by route template, sync results, ARM requests and current-state
// gauges counted on their own schedule and connection (never per scrape, never on the API's pool).
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type App } from "../../src/app.js";
import type { Simulator } from "../../src/azure/simulator/index.js";
import { createDb, type Db } from "../../src/db/client.js";
import { stateCounts } from "../../src/db/metrics-repo.js";
import { startStateGauges, type StateGauges } from "../../src/observability/state-gauges.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { expectContract } from "../helpers/openapi.js";
import { syncNow } from "../helpers/sync.js";
import { until } from "../helpers/until.js";

describe("/metrics", () => {
  let ctx: TestContext;
  let sim: Simulator;
  let app: App;
  let gaugeDb: Db;
  let gauges: StateGauges;
  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 12, seed: 5 } } });
    ({ sim, app } = ctx);
    // As main.ts wires them: a connection of their own, a schedule of their own.
    gaugeDb = createDb(ctx.database.url, { max: 1 });
    gauges = startStateGauges(ctx.appDeps.metrics!, stateCounts(gaugeDb.prisma), { intervalMs: 200 });
  });
  afterAll(async () => {
    gauges?.stop();
    await gaugeDb?.close();
    await ctx?.close();
  });

  const scrape = async () => {
    const res = await request(app.server).get("/metrics");
    expectContract(res);
    expect(res.status).toBe(200);
    return res.text;
  };
  const value = (text: string, series: string) => {
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it("counts requests by route template and status, never by raw URL", async () => {
    const http = request(app.server);
    await http.get("/v1/virtual-machines?limit=5");
    await http.get("/v1/virtual-machines/00000000-0000-4000-8000-000000000000");
    const text = await scrape();
    expect(value(text, 'maintenance_planner_http_request_duration_seconds_count{method="GET",route="/v1/virtual-machines",status_code="200"}')).toBe(1);
    expect(value(text, 'maintenance_planner_http_request_duration_seconds_count{method="GET",route="/v1/virtual-machines/:id",status_code="404"}')).toBe(1);
    expect(text).not.toContain("00000000-0000-4000-8000-000000000000");
  });

  it("a scrape runs nothing on the API's database pool, however many come at once", async () => {
    const pool = ctx.database.db.pool;
    let checkouts = 0;
    const count = () => checkouts++;
    pool.on("acquire", count);
    try {
      const scrapes = await Promise.all(Array.from({ length: 20 }, () => request(app.server).get("/metrics")));
      expect(scrapes.map((r) => r.status)).toEqual(Array(20).fill(200));
    } finally {
      pool.off("acquire", count);
    }
    expect(checkouts).toBe(0);
  });

  it("reports syncs, windows, ARM requests and VMs by maintenance state (the gauges as of their last refresh)", async () => {
    await syncNow(request(app.server));
    await gauges.refresh();
    const text = await scrape();
    const withWindows = sim.vms().filter((vm) => vm.maintenance).length;
    expect(value(text, 'maintenance_planner_sync_windows_total{change="new"}')).toBe(withWindows);
    expect(value(text, 'maintenance_planner_sync_duration_seconds_count{status="succeeded"}')).toBe(1);
    expect(value(text, 'maintenance_planner_arm_requests_total{operation="listVirtualMachines",status="200"}')).toBe(sim.requests({ operation: "listVirtualMachines" }).length);
    const byState = ["none", "self-service-open", "pending", "done"].map((k) => value(text, `maintenance_planner_virtual_machines{maintenance="${k}"}`) ?? 0);
    expect(byState.reduce((a, b) => a + b, 0)).toBe(sim.vms().length);
    expect(byState[0]).toBe(sim.vms().length - withWindows);
  });

  it("a flood of scrapes takes turns (one every 50 ms); beyond 64 waiting, 429 with Retry-After", async () => {
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 80 }, () => request(app.server).get("/metrics")));
    const served = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 429);
    expect(served.length + refused.length).toBe(80);
    expect(served.length).toBeGreaterThanOrEqual(64);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expectContract(r);
      expect(r.headers["retry-after"]).toBe("1");
    }
    // Turns are spaced, so the served ones cannot all have come at once.
    expect(Date.now() - started).toBeGreaterThanOrEqual((served.length - 1) * 50);
  });

  it("refreshes the database gauges on their schedule, not when scraped", async () => {
    const refreshed = async () => value(await scrape(), "maintenance_planner_state_refreshed_timestamp_seconds") ?? 0;
    const first = await refreshed();
    await until("the gauges refreshed on their schedule", async () => (await refreshed()) > first, 10_000, 50);
  });

  it("METRICS_BEARER_TOKEN: a scrape without the token, or with another, is 401", async () => {
    const guarded = await buildApp({ ...ctx.appDeps, metricsEndpoint: { bearerToken: "s3cret-token" } });
    await guarded.ready();
    try {
      for (const authorization of [undefined, "Bearer wrong", "Bearer s3cret-token2", "s3cret-token"]) {
        const req = request(guarded.server).get("/metrics");
        const res = await (authorization ? req.set("authorization", authorization) : req);
        expectContract(res);
        expect({ authorization, status: res.status, code: res.body.code }).toEqual({ authorization, status: 401, code: "unauthorized" });
        expect(res.headers["www-authenticate"]).toContain("Bearer");
      }
      const ok = await request(guarded.server).get("/metrics").set("authorization", "Bearer s3cret-token");
      expect(ok.status).toBe(200);
      expect(ok.text).toContain("maintenance_planner_http_request_duration_seconds");
    } finally {
      await guarded.close();
    }
  });
});
