// Maintenance windows and blackouts through the API, on the real database: create or replace, read, list,
// delete, every write audited; definitions checked with one problem code per kind of mistake; occurrences and
// blackout intervals evaluated in UTC and local time; who may read and write.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { ADMIN, BOOKER, READER, startTestIdentityProvider, type TestIdentityProvider } from "../helpers/auth.js";
import { expectContract } from "../helpers/openapi.js";
import { listAll } from "../helpers/sync.js";
import { blackoutAt } from "../../src/domain/blackouts.js";
import { nextOccurrence } from "../../src/domain/recurrence.js";
import { loadBlackouts, loadMaintenanceWindow } from "../../src/services/calendars.js";

const NOW = new Date("2026-03-20T12:00:00Z");
const TUE_THU = { timeZone: "Europe/Berlin", rrule: "FREQ=WEEKLY;BYDAY=TU,TH", start: "02:00", duration: "3h" };

let ctx: TestContext;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await startTestIdentityProvider();
  ctx = await createTestContext({
    simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 1, scaleSetsPerSubscription: 0, seed: 13 } },
    auth: idp.setup(),
    token: await idp.app(ADMIN),
    clock: () => NOW,
  });
});
afterAll(async () => {
  await ctx?.close();
  await idp?.close();
});

async function put(path: string, body: object) {
  const res = await ctx.http.put(path).send(body);
  expectContract(res);
  return res;
}
async function get(path: string) {
  const res = await ctx.http.get(path);
  expectContract(res);
  return res;
}
const auditOf = async (name: string) => (await get(`/v1/audit-events?targetId=${name}`)).body.value;

describe("maintenance windows", () => {
  it("PUT creates (201, Location) and then replaces (200); GET reads it back; both audited with before and after", async () => {
    const created = await put("/v1/maintenance-windows/tue-thu-night", { ...TUE_THU, timeZone: "europe/berlin", rrule: "rrule:freq=weekly;byday=tu,th" });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe("/v1/maintenance-windows/tue-thu-night");
    expect(created.body).toMatchObject({ name: "tue-thu-night", ...TUE_THU, offsetDays: 0, startDate: null, description: null, createdBy: expect.any(String) });

    const replaced = await put("/v1/maintenance-windows/tue-thu-night", { ...TUE_THU, duration: "4h", description: "app team on call" });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ duration: "4h", description: "app team on call", createdAt: created.body.createdAt });
    expect((await get("/v1/maintenance-windows/tue-thu-night")).body).toEqual(replaced.body);

    const audit = await auditOf("tue-thu-night");
    expect(audit.map((e: { action: string }) => e.action)).toEqual(["maintenance-window.replaced", "maintenance-window.created"]);
    expect(audit[0]).toMatchObject({ targetType: "maintenance-window", before: { duration: "3h" }, after: { duration: "4h" } });
    expect(audit[1]).toMatchObject({ before: null, after: { rrule: "FREQ=WEEKLY;BYDAY=TU,TH", timeZone: "Europe/Berlin" } });
  });

  it("occurrences in UTC and local time keep 02:00 across the spring change; `from` defaults to now", async () => {
    const res = await get("/v1/maintenance-windows/tue-thu-night/occurrences?to=2026-04-01T00:00:00Z");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ timeZone: "Europe/Berlin", from: NOW.toISOString(), to: "2026-04-01T00:00:00.000Z" });
    expect(res.body.value).toEqual([
      { start: "2026-03-24T01:00:00.000Z", end: "2026-03-24T05:00:00.000Z", localStart: "2026-03-24T02:00:00+01:00", localEnd: "2026-03-24T06:00:00+01:00" },
      { start: "2026-03-26T01:00:00.000Z", end: "2026-03-26T05:00:00.000Z", localStart: "2026-03-26T02:00:00+01:00", localEnd: "2026-03-26T06:00:00+01:00" },
      { start: "2026-03-31T00:00:00.000Z", end: "2026-03-31T04:00:00.000Z", localStart: "2026-03-31T02:00:00+02:00", localEnd: "2026-03-31T06:00:00+02:00" },
    ]);
    expect((await get("/v1/maintenance-windows/tue-thu-night/occurrences")).body.to).toBe("2026-04-20T12:00:00.000Z");
  });

  it.each([
    ["`to` before `from`", "?from=2026-04-01T00:00:00Z&to=2026-03-01T00:00:00Z", 400, "invalid-time-range"],
    ["more than 366 days", "?from=2026-01-01T00:00:00Z&to=2027-01-03T00:00:00Z", 400, "invalid-time-range"],
    ["a time without offset", "?from=2026-01-01T00:00:00", 400, "validation-failed"],
  ])("occurrences refuses %s", async (_, query, status, code) => {
    const res = await get(`/v1/maintenance-windows/tue-thu-night/occurrences${query}`);
    expect([res.status, res.body.code]).toEqual([status, code]);
  });

  it.each([
    ["an unknown zone", { timeZone: "Europe/Atlantis" }, "invalid-time-zone", "/timeZone"],
    ["a rule with BYHOUR", { rrule: "FREQ=DAILY;BYHOUR=2" }, "invalid-rrule", "/rrule"],
    ["INTERVAL without startDate", { rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA" }, "invalid-rrule", "/rrule"],
    ["occurrences that would overlap", { duration: "49h" }, "invalid-duration", "/duration"],
    ["a start that is no time", { start: "25:00" }, "validation-failed", undefined],
    ["an unknown member", { dtstart: "2026-01-01" }, "validation-failed", undefined],
  ])("PUT refuses %s with its own code and writes nothing", async (_, over, code, pointer) => {
    const res = await put("/v1/maintenance-windows/refused", { ...TUE_THU, ...over });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code, type: `/problems/${code}` });
    expect(res.body.pointer).toBe(pointer);
    expect((await get("/v1/maintenance-windows/refused")).status).toBe(404);
    expect(await auditOf("refused")).toEqual([]);
  });

  it("names are URL-safe slugs", async () => {
    for (const name of ["Upper", "-dash", "a_b", "x".repeat(64)]) {
      const res = await put(`/v1/maintenance-windows/${name}`, TUE_THU);
      expect([name, res.status, res.body.code]).toEqual([name, 400, "validation-failed"]);
    }
  });

  it("lists in name order with cursor pagination; DELETE removes (204, audited) and a second DELETE is 404", async () => {
    await put("/v1/maintenance-windows/a-first", TUE_THU);
    await put("/v1/maintenance-windows/patch-weekend", { timeZone: "America/New_York", rrule: "FREQ=MONTHLY;BYDAY=2TU", offsetDays: 4, start: "00:00", duration: "2d" });
    const names = (await listAll(ctx.http, "/v1/maintenance-windows?limit=1")).map((w) => w.name);
    expect(names).toEqual(["a-first", "patch-weekend", "tue-thu-night"]);

    const deleted = await ctx.http.delete("/v1/maintenance-windows/a-first");
    expectContract(deleted);
    expect(deleted.status).toBe(204);
    expect((await ctx.http.delete("/v1/maintenance-windows/a-first")).status).toBe(404);
    expect((await get("/v1/maintenance-windows/a-first/occurrences")).status).toBe(404);
    expect((await auditOf("a-first"))[0]).toMatchObject({ action: "maintenance-window.deleted", before: { name: "a-first" }, after: null });
  });

  it("concurrent PUTs of a new name: exactly one creates, the others replace, none fails", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => ctx.http.put("/v1/maintenance-windows/raced").send({ ...TUE_THU, description: `put ${i}` })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const actions = (await auditOf("raced")).map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === "maintenance-window.created")).toHaveLength(1);
    expect(actions).toHaveLength(8);
  });
});

describe("blackouts", () => {
  const blackFriday = {
    timeZone: "America/New_York",
    ranges: [{ start: "2026-11-27T00:00", end: "2026-11-30T00:00" }],
    selector: { subscriptionId: "AAAAAAAA-0000-4000-8000-000000000001", tags: { env: "prod" } },
  };

  it("PUT stores ranges and a selector (subscription id lower-cased); intervals come back in UTC and local time", async () => {
    const created = await put("/v1/blackouts/black-friday", blackFriday);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...blackFriday, selector: { subscriptionId: "aaaaaaaa-0000-4000-8000-000000000001", tags: { env: "prod" } }, rrule: null, start: null });
    const intervals = await get("/v1/blackouts/black-friday/intervals?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z");
    expect(intervals.body.value).toEqual([
      { start: "2026-11-27T05:00:00.000Z", end: "2026-11-30T05:00:00.000Z", localStart: "2026-11-27T00:00:00-05:00", localEnd: "2026-11-30T00:00:00-05:00" },
    ]);
  });

  it("loadBlackouts and loadMaintenanceWindow give the booking rules and the planner compiled calendars", async () => {
    const vm = { subscriptionId: "aaaaaaaa-0000-4000-8000-000000000001", resourceGroup: "rg", tags: { ENV: "prod" }, availabilitySet: null, scaleSetName: null };
    const blackouts = await loadBlackouts(ctx.database.db.pool);
    expect(blackoutAt(blackouts, vm, new Date("2026-11-28T12:00:00Z"))).toEqual({ name: "black-friday", nextAllowedAt: new Date("2026-11-30T05:00:00Z") });
    expect(blackoutAt(blackouts, { ...vm, tags: { env: "test" } }, new Date("2026-11-28T12:00:00Z"))).toBeNull();
    const window = await loadMaintenanceWindow(ctx.database.db.pool, "tue-thu-night");
    expect(window && nextOccurrence(window, new Date("2026-03-25T00:00:00Z"))?.start).toEqual(new Date("2026-03-26T01:00:00Z"));
    expect(await loadMaintenanceWindow(ctx.database.db.pool, "none-such")).toBeNull();
  });

  it("a recurring blackout merges with its ranges; lists and deletes like windows", async () => {
    const res = await put("/v1/blackouts/month-end", { timeZone: "Asia/Kolkata", rrule: "FREQ=MONTHLY;BYMONTHDAY=-1", start: "18:00", duration: "12h", ranges: [{ start: "2026-04-01T06:00", end: "2026-04-01T08:00" }] });
    expect(res.status).toBe(201);
    const intervals = (await get("/v1/blackouts/month-end/intervals?from=2026-03-30T00:00:00Z&to=2026-04-02T00:00:00Z")).body.value;
    expect(intervals.map((i: { localStart: string; localEnd: string }) => `${i.localStart}/${i.localEnd}`)).toEqual(["2026-03-31T18:00:00+05:30/2026-04-01T08:00:00+05:30"]);
    expect((await listAll(ctx.http, "/v1/blackouts?limit=1")).map((b) => b.name)).toEqual(["black-friday", "month-end"]);
    expect((await ctx.http.delete("/v1/blackouts/month-end")).status).toBe(204);
    expect((await auditOf("month-end")).map((e: { action: string }) => e.action)).toEqual(["blackout.deleted", "blackout.created"]);
  });

  it.each([
    ["neither ranges nor a rule", { timeZone: "UTC" }, "invalid-blackout", "/ranges"],
    ["a range that ends first", { timeZone: "UTC", ranges: [{ start: "2026-11-27T10:00", end: "2026-11-27T09:00" }] }, "invalid-blackout", "/ranges/0/end"],
    ["a rule without start", { timeZone: "UTC", rrule: "FREQ=DAILY", duration: "1h" }, "invalid-blackout", "/start"],
    ["one tag named twice", { ...blackFriday, selector: { tags: { Env: "prod", env: "test" } } }, "invalid-selector", "/selector/tags"],
    ["a bad rule", { timeZone: "UTC", rrule: "FREQ=SECONDLY", start: "01:00", duration: "1h" }, "invalid-rrule", "/rrule"],
  ])("PUT refuses %s", async (_, body, code, pointer) => {
    const res = await put("/v1/blackouts/refused", body);
    expect([res.status, res.body.code, res.body.pointer]).toEqual([400, code, pointer]);
  });
});

describe("who may read and write", () => {
  const as = async (token: string, method: "get" | "put" | "delete", path: string, body?: object) => {
    const res = await ctx.anonymous[method](path).set("authorization", `Bearer ${token}`).send(body);
    expectContract(res);
    return res;
  };

  it("readers read windows and blackouts; only admins write", async () => {
    const reader = await idp.user(READER);
    const booker = await idp.user(BOOKER);
    for (const path of ["/v1/maintenance-windows", "/v1/maintenance-windows/tue-thu-night", "/v1/maintenance-windows/tue-thu-night/occurrences", "/v1/blackouts", "/v1/blackouts/black-friday/intervals"]) {
      expect([path, (await as(reader, "get", path)).status]).toEqual([path, 200]);
    }
    for (const token of [reader, booker]) {
      const res = await as(token, "put", "/v1/maintenance-windows/nope", TUE_THU);
      expect([res.status, res.body.requiredRole]).toEqual([403, "Maintenance.Admin"]);
      expect((await as(token, "delete", "/v1/blackouts/black-friday")).status).toBe(403);
    }
    expect((await ctx.anonymous.get("/v1/maintenance-windows")).status).toBe(401);
  });

  it("a scoped reader reads maintenance windows but not blackouts, whose selectors name resources in every scope", async () => {
    const oid = "5c0bed00-0000-4000-8000-0000000005c0";
    const scoped = await idp.user(READER, { oid });
    const assigned = await ctx.http.post("/v1/scope-assignments").send({ principalId: oid, subscriptionId: "11111111-1111-4111-8111-111111111111" });
    expect(assigned.status).toBe(201);
    expect((await as(scoped, "get", "/v1/maintenance-windows/tue-thu-night/occurrences")).status).toBe(200);
    for (const path of ["/v1/blackouts", "/v1/blackouts/black-friday", "/v1/blackouts/black-friday/intervals"]) {
      const res = await as(scoped, "get", path);
      expect([path, res.status, res.body.code]).toEqual([path, 403, "forbidden"]);
      expect(res.text).not.toContain("aaaaaaaa");
    }
  });
});
