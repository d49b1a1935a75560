// GET /v1/virtual-machines: filters, pagination and the maintenance classes, checked against the domain's own
// rules (isPending / isSelfServiceOpen in src/domain/maintenance.ts, isUnbooked in src/domain/deadlines.ts) on the
// same data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUnbooked } from "../../src/domain/deadlines.js";
import { encodeCursor } from "../../src/domain/cursor.js";
import { isPending, isSelfServiceOpen } from "../../src/domain/maintenance.js";
import { statusOf } from "../helpers/maintenance.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { expectContract } from "../helpers/openapi.js";
import { listAll, syncNow } from "../helpers/sync.js";
import { HOUR, fromNow } from "../helpers/bookings.js";

type Vm = Record<string, any>;

describe("GET /v1/virtual-machines", () => {
  let ctx: TestContext;
  let all: Vm[];
  const ids = (vms: Vm[]) => vms.map((v) => v.id).sort();

  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 2, vmsPerSubscription: 60, scaleSetsPerSubscription: 1, instancesPerScaleSet: 4, seed: 3 } } });
    await syncNow(ctx.http);
    all = await listAll(ctx.http, "/v1/virtual-machines?limit=1000");
  });
  afterAll(() => ctx?.close());

  it("pages through every VM once, in resource-id order, following nextLink", async () => {
    expect(all).toHaveLength(ctx.sim.vms().length);
    const paged = await listAll(ctx.http, "/v1/virtual-machines?limit=7");
    expect(paged.map((v) => v.id)).toEqual(all.map((v) => v.id));
    const keys = paged.map((v) => v.resourceId.toLowerCase());
    expect(keys).toEqual([...keys].sort());
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("filters by maintenance class exactly as the domain rules classify the same VMs", async () => {
    const now = new Date();
    const expected = {
      none: all.filter((v) => v.maintenance === null),
      pending: all.filter((v) => isPending(statusOf(v), now)),
      "self-service-open": all.filter((v) => isSelfServiceOpen(statusOf(v), now)),
    };
    for (const [filter, vms] of Object.entries(expected)) {
      expect(vms.length, `the fleet has no ${filter} VM to test with`).toBeGreaterThan(0);
      const listed = await listAll(ctx.http, `/v1/virtual-machines?limit=1000&maintenance=${filter}`);
      expect(ids(listed), filter).toEqual(ids(vms));
    }
  });

  it("lists unbooked VMs as the domain classifies them, soonest deadline first, following nextLink in that order", async () => {
    const now = new Date();
    const end = (v: Vm) => new Date(v.maintenance.selfServiceWindow.end).getTime();
    const booked = all.find((v) => isSelfServiceOpen(statusOf(v), now) && end(v) > Date.now() + 3 * HOUR)!;
    const booking = await ctx.http.post("/v1/bookings").send({ virtualMachineId: booked.id, startAt: fromNow(HOUR) });
    expectContract(booking);
    expect(booking.status).toBe(201);
    const expected = all.filter((v) => isUnbooked({ status: statusOf(v), maintenanceKnown: v.maintenanceReadAt !== null, activeBooking: v.id === booked.id }, now));
    expect(expected.length, "the fleet has too few unbooked VMs to page through").toBeGreaterThan(6);
    const paged = await listAll(ctx.http, "/v1/virtual-machines?limit=4&maintenance=unbooked");
    expect(ids(paged)).toEqual(ids(expected));
    expect(paged.map((v) => v.id)).not.toContain(booked.id);
    const order = (a: Vm, b: Vm) => end(a) - end(b) || (a.resourceId.toLowerCase() < b.resourceId.toLowerCase() ? -1 : 1);
    expect(paged.map((v) => v.id)).toEqual([...paged].sort(order).map((v) => v.id));
  });

  it("filters by subscription, resource group (case-insensitive) and name", async () => {
    const sample = all.find((v) => !v.scaleSet)!;
    const bySub = await listAll(ctx.http, `/v1/virtual-machines?limit=1000&subscriptionId=${sample.subscriptionId.toUpperCase()}`);
    expect(ids(bySub)).toEqual(ids(all.filter((v) => v.subscriptionId === sample.subscriptionId)));
    const byRg = await listAll(ctx.http, `/v1/virtual-machines?limit=1000&resourceGroup=${sample.resourceGroup.toUpperCase()}`);
    expect(ids(byRg)).toEqual(ids(all.filter((v) => v.resourceGroup.toLowerCase() === sample.resourceGroup.toLowerCase())));
    const part = sample.name.slice(1, 5).toUpperCase();
    const byName = await listAll(ctx.http, `/v1/virtual-machines?limit=1000&q=${encodeURIComponent(part)}`);
    expect(ids(byName)).toEqual(ids(all.filter((v) => v.name.toLowerCase().includes(part.toLowerCase()))));
    expect(byName.length).toBeGreaterThan(0);
  });

  it("treats LIKE wildcards in q as plain text", async () => {
    const res = await ctx.http.get("/v1/virtual-machines?q=%25");
    expectContract(res);
    expect(res.body.value).toEqual([]);
    // `_` is a LIKE wildcard too; scale-set instance names (`web_3`) contain it literally.
    const underscore = await listAll(ctx.http, "/v1/virtual-machines?limit=1000&q=_");
    expect(ids(underscore)).toEqual(ids(all.filter((v) => v.name.includes("_"))));
    expect(underscore.length).toBeGreaterThan(0);
    expect(underscore.length).toBeLessThan(all.length);
  });

  it("refuses a tampered cursor and an oversized page", async () => {
    const cursor = await ctx.http.get("/v1/virtual-machines?cursor=bm90LWEtY3Vyc29y");
    expectContract(cursor);
    expect(cursor.status).toBe(400);
    expect(cursor.body.code).toBe("invalid-cursor");
    // Each order has its own cursor: one from the other order, or with a deadline that is no time, is refused.
    for (const bad of [encodeCursor({ k: "/subscriptions/x" }), encodeCursor({ d: "soon", k: "/subscriptions/x" }), encodeCursor({ d: "2026-12-01", k: "x" })]) {
      const res = await ctx.http.get(`/v1/virtual-machines?maintenance=unbooked&cursor=${bad}`);
      expectContract(res);
      expect(res.body.code, bad).toBe("invalid-cursor");
    }
    const limit = await ctx.http.get("/v1/virtual-machines?limit=1001");
    expectContract(limit);
    expect(limit.status).toBe(400);
  });
});
