// /metrics: Prometheus text with HTTP durations by route template, sync results, ARM requests and current-state
// gauges read from the database at scrape time.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import type { Simulator } from "../../src/azure/simulator/index.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { expectContract } from "../helpers/openapi.js";
import { syncNow } from "../helpers/sync.js";

describe("/metrics", () => {
  let ctx: TestContext;
  let sim: Simulator;
  let app: App;
  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 12, seed: 5 } } });
    ({ sim, app } = ctx);
  });
  afterAll(() => ctx?.close());

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

  it("reports syncs, windows, ARM requests and VMs by maintenance state", async () => {
    await syncNow(request(app.server));
    const text = await scrape();
    const withWindows = sim.vms().filter((vm) => vm.maintenance).length;
    expect(value(text, 'maintenance_planner_sync_windows_total{change="new"}')).toBe(withWindows);
    expect(value(text, 'maintenance_planner_sync_duration_seconds_count{status="succeeded"}')).toBe(1);
    expect(value(text, 'maintenance_planner_arm_requests_total{operation="listVirtualMachines",status="200"}')).toBe(sim.requests({ operation: "listVirtualMachines" }).length);
    const gauges = ["none", "self-service-open", "pending", "done"].map((k) => value(text, `maintenance_planner_virtual_machines{maintenance="${k}"}`) ?? 0);
    expect(gauges.reduce((a, b) => a + b, 0)).toBe(sim.vms().length);
    expect(gauges[0]).toBe(sim.vms().length - withWindows);
  });
});
