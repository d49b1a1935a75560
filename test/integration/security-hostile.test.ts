// Hostile and malformed requests, authenticated as an admin so they reach parsing and validation: each gets a
// 4xx problem+json (never a 5xx) and changes no row. The table is the evidence for the closing note of issue 5.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { ADMIN, startTestIdentityProvider, type TestIdentityProvider } from "../helpers/auth.js";
import { DAY, HOUR, fromNow, selfServiceWindow, vmFixtures } from "../helpers/bookings.js";
import { expectContract } from "../helpers/openapi.js";
import { sendCase, type RequestCase } from "../helpers/request-table.js";

const UNKNOWN = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const SUB = "11111111-1111-4111-8111-111111111111";
const cursor = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
const nest = (depth: number, open: string, close: string) => open.repeat(depth) + close.repeat(depth);

describe("hostile requests", () => {
  let idp: TestIdentityProvider;
  let ctx: TestContext;
  let vm: string;
  let booking: Record<string, any>;
  const vms = vmFixtures(() => ctx);
  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 4, seed: 13 } }, auth: idp.setup(), token: await idp.app(ADMIN) });
    [{ id: vm }] = await vms(1, () => selfServiceWindow(-DAY, 5 * DAY));
    booking = (await ctx.http.post("/v1/bookings").send({ virtualMachineId: vm, startAt: fromNow(3 * HOUR) })).body;
  });
  afterAll(async () => {
    await ctx?.close();
    await idp?.close();
  });

  const ok = () => ({ virtualMachineId: vm, startAt: fromNow(4 * HOUR) });
  const json = { "content-type": "application/json" };
  const ifMatch = { "if-match": '"1"' };
  const B = "/v1/bookings";
  const cases = (): RequestCase[] => [
    // size and shape
    { name: "body of 100 KiB", method: "post", url: B, body: { ...ok(), note: "x".repeat(100 * 1024) }, status: 413, code: "payload-too-large" },
    { name: "body of 5 MiB", method: "post", url: B, headers: json, body: "[" + "1,".repeat(2_500_000) + "1]", status: 413, code: "payload-too-large" },
    { name: "arrays nested 20,000 deep", method: "post", url: B, headers: json, body: nest(20_000, "[", "]"), status: 400, code: "validation-failed" },
    { name: "objects nested 5,000 deep", method: "post", url: B, headers: json, body: nest(5_000, '{"a":', "}").replace(/}$/, "1}"), status: 400, code: "validation-failed" },
    { name: "body is a bare string", method: "post", url: B, headers: json, body: '"hello"', status: 400, code: "validation-failed" },
    { name: "number overflowing to Infinity", method: "post", url: B, headers: json, body: `{"virtualMachineId":"${UNKNOWN}","startAt":"${fromNow(4 * HOUR)}","note":1e400}`, status: 400, code: "validation-failed" },
    { name: "JSON with a byte-order mark", method: "post", url: B, headers: json, body: "\uFEFF" + JSON.stringify({ virtualMachineId: UNKNOWN, startAt: fromNow(4 * HOUR) }), status: 422, code: "virtual-machine-unknown" },
    { name: "__proto__ key", method: "post", url: B, headers: json, body: `{"virtualMachineId":"${vm}","startAt":"${fromNow(4 * HOUR)}","__proto__":{"admin":true}}`, status: 400, code: "validation-failed" },
    { name: "constructor.prototype key", method: "post", url: B, headers: json, body: `{"virtualMachineId":"${vm}","startAt":"${fromNow(4 * HOUR)}","constructor":{"prototype":{"x":1}}}`, status: 400, code: "validation-failed" },
    { name: "duplicate key smuggling an id", method: "post", url: B, headers: json, body: `{"virtualMachineId":"${vm}","startAt":"${fromNow(4 * HOUR)}","virtualMachineId":"x' OR 1=1"}`, status: 400, code: "validation-failed" },
    { name: "forging createdBy", method: "post", url: B, body: { ...ok(), createdBy: "someone-else" }, status: 400, code: "validation-failed" },
    // content types
    { name: "text/plain", method: "post", url: B, headers: { "content-type": "text/plain" }, body: JSON.stringify(ok()), status: 415, code: "unsupported-media-type" },
    { name: "form-urlencoded", method: "post", url: B, headers: { "content-type": "application/x-www-form-urlencoded" }, body: `virtualMachineId=${vm}`, status: 415, code: "unsupported-media-type" },
    { name: "multipart", method: "post", url: B, headers: { "content-type": "multipart/form-data; boundary=x" }, body: "--x--", status: 415, code: "unsupported-media-type" },
    { name: "JSON declared as UTF-16", method: "post", url: B, headers: { "content-type": "application/json; charset=utf-16" }, body: JSON.stringify(ok()), status: 415, code: "unsupported-media-type" },
    { name: "XML on scope assignments", method: "post", url: "/v1/scope-assignments", headers: { "content-type": "application/xml" }, body: "<a/>", status: 415, code: "unsupported-media-type" },
    // injection strings
    { name: "SQL in virtualMachineId", method: "post", url: B, body: { ...ok(), virtualMachineId: "'; DROP TABLE bookings;--" }, status: 400, code: "validation-failed" },
    { name: "SQL in the note of an unknown VM", method: "post", url: B, body: { virtualMachineId: UNKNOWN, startAt: fromNow(4 * HOUR), note: "'); DELETE FROM bookings;--" }, status: 422, code: "virtual-machine-unknown" },
    { name: "SQL in a path id", method: "get", url: `${B}/1'%20OR%20'1'='1`, status: 400, code: "validation-failed" },
    { name: "SQL in startAt", method: "post", url: B, body: { ...ok(), startAt: "2026-01-01' OR '1'='1" }, status: 400, code: "invalid-start-at" },
    { name: "SQL in a resource group", method: "post", url: "/v1/scope-assignments", body: { principalId: UNKNOWN, subscriptionId: SUB, resourceGroup: "x' OR '1'='1" }, status: 400, code: "validation-failed" },
    { name: "path traversal in a resource group", method: "post", url: "/v1/scope-assignments", body: { principalId: UNKNOWN, subscriptionId: SUB, resourceGroup: "../../etc/passwd" }, status: 400, code: "validation-failed" },
    { name: "scope assignment for a non-id principal", method: "post", url: "/v1/scope-assignments", body: { principalId: "*", subscriptionId: SUB }, status: 400, code: "validation-failed" },
    { name: "NUL in the note", method: "post", url: B, body: { ...ok(), note: "a\u0000b" }, status: 400, code: "validation-failed" },
    { name: "NUL in a query filter", method: "get", url: "/v1/virtual-machines?q=a%00b", status: 400, code: "validation-failed" },
    { name: "NUL in the audit actor filter", method: "get", url: "/v1/audit-events?actor=%00", status: 400, code: "validation-failed" },
    { name: "header injection in Idempotency-Key", method: "post", url: B, headers: { "idempotency-key": "k\tSet-Cookie: x=1" }, body: ok(), status: 400, code: "validation-failed" },
    { name: "If-Match of 10,000 characters", method: "patch", url: `${B}/${booking.id}`, headers: { "if-match": "x".repeat(10_000) }, body: { note: "x" }, status: 400, code: "validation-failed" },
    // pagination
    { name: "limit of a billion", method: "get", url: "/v1/virtual-machines?limit=1000000000", status: 400, code: "validation-failed" },
    { name: "limit beyond 2^64", method: "get", url: "/v1/audit-events?limit=100000000000000000000000", status: 400, code: "validation-failed" },
    { name: "negative limit", method: "get", url: "/v1/sync-runs?limit=-1", status: 400, code: "validation-failed" },
    { name: "fractional limit", method: "get", url: "/v1/bookings?limit=1.5", status: 400, code: "validation-failed" },
    { name: "limit given twice", method: "get", url: "/v1/bookings?limit=1&limit=2", status: 400, code: "validation-failed" },
    { name: "cursor that is not base64 JSON", method: "get", url: "/v1/virtual-machines?cursor=%25%25%25", status: 400, code: "invalid-cursor" },
    { name: "cursor carrying SQL", method: "get", url: `${B}?cursor=${cursor({ t: "2026-01-01T00:00:00Z", id: "1; DROP TABLE bookings" })}`, status: 400, code: "invalid-cursor" },
    { name: "audit cursor with a negative id", method: "get", url: `/v1/audit-events?cursor=${cursor({ id: "-1" })}`, status: 400, code: "invalid-cursor" },
    { name: "audit cursor beyond bigint", method: "get", url: `/v1/audit-events?cursor=${cursor({ id: "9".repeat(30) })}`, status: 400, code: "invalid-cursor" },
    { name: "scope cursor that is not a UUID", method: "get", url: `/v1/scope-assignments?cursor=${cursor({ id: "x" })}`, status: 400, code: "invalid-cursor" },
    { name: "bookings cursor with a timestamp before PostgreSQL's range", method: "get", url: `${B}?cursor=${cursor({ t: "-271821-04-20T00:00:00.000Z", id: UNKNOWN })}`, status: 400, code: "invalid-cursor" },
    { name: "sync-runs cursor with an id of 36 dashes", method: "get", url: `/v1/sync-runs?cursor=${cursor({ t: "2026-11-28T00:00:00.000Z", id: "-".repeat(36) })}`, status: 400, code: "invalid-cursor" },
    { name: "VM cursor with a key no list issues", method: "get", url: `/v1/virtual-machines?cursor=${cursor({ k: "zzz" })}`, status: 400, code: "invalid-cursor" },
    { name: "cursor of 600 characters", method: "get", url: `/v1/sync-runs?cursor=${"A".repeat(600)}`, status: 400, code: "validation-failed" },
    // ids and parameters
    { name: "UUID of full-width digits", method: "get", url: `/v1/virtual-machines/${encodeURIComponent("０".repeat(8))}-0000-4000-8000-000000000000`, status: 400, code: "validation-failed" },
    { name: "UUID with a trailing newline", method: "get", url: `/v1/virtual-machines/${UNKNOWN}%0A`, status: 400, code: "validation-failed" },
    { name: "emoji id", method: "delete", url: "/v1/scope-assignments/%F0%9F%92%A9", status: 400, code: "validation-failed" },
    { name: "right-to-left override in a filter", method: "get", url: `/v1/audit-events?action=${encodeURIComponent("booking.\u202Edetaerc")}`, status: 400, code: "validation-failed" },
    { name: "zero-width space in a UUID", method: "get", url: `${B}?virtualMachineId=${encodeURIComponent(UNKNOWN.slice(0, 8) + "\u200B" + UNKNOWN.slice(8))}`, status: 400, code: "validation-failed" },
    { name: "prototype pollution in the query", method: "get", url: "/v1/bookings?__proto__[admin]=1", status: 400, code: "validation-failed" },
    { name: "bracketed array parameter", method: "get", url: "/v1/bookings?state[]=scheduled", status: 400, code: "validation-failed" },
    { name: "500 unknown parameters", method: "get", url: "/v1/bookings?" + Array.from({ length: 500 }, (_, i) => `p${i}=1`).join("&"), status: 400, code: "validation-failed" },
    { name: "audit time range in month 13", method: "get", url: "/v1/audit-events?from=2026-13-45T00:00:00Z", status: 400, code: "validation-failed" },
    { name: "leap second in a bookings filter", method: "get", url: `${B}?startFrom=2026-12-31T23:59:60Z`, status: 400, code: "validation-failed" },
    { name: "leap second in an audit filter", method: "get", url: "/v1/audit-events?to=2026-12-31T23:59:60Z", status: 400, code: "validation-failed" },
    { name: "filter offset of hours only", method: "get", url: `${B}?startTo=${encodeURIComponent("2026-12-31T10:00:00+01")}`, status: 400, code: "validation-failed" },
    { name: "startAt in year 0", method: "post", url: B, body: { ...ok(), startAt: "0000-01-01T00:00:00Z" }, status: 400, code: "invalid-start-at" },
    { name: "PATCH with a stale If-Match", method: "patch", url: `${B}/${booking.id}`, headers: { "if-match": '"7"' }, body: { note: "x" }, status: 412, code: "precondition-failed" },
    { name: "PATCH smuggling state", method: "patch", url: `${B}/${booking.id}`, headers: ifMatch, body: { state: "completed" }, status: 400, code: "validation-failed" },
    // tokens
    { name: "SQL as the bearer token", method: "get", url: B, headers: { authorization: "Bearer ' OR 1=1--" }, status: 401, code: "unauthorized" },
    { name: "bearer token of 20,000 characters", method: "get", url: B, headers: { authorization: `Bearer ${"a".repeat(10_000)}.${"b".repeat(10_000)}.c` }, status: 431, code: "headers-too-large", undocumented: true },
    { name: "bearer token of 15,000 characters", method: "get", url: B, headers: { authorization: `Bearer ${"a".repeat(7_500)}.${"b".repeat(7_500)}.c` }, status: 401, code: "unauthorized" },
    { name: "two bearer tokens", method: "get", url: B, headers: { authorization: "Bearer a.b.c, Bearer d.e.f" }, status: 401, code: "unauthorized" },
    { name: "unknown route under /v1", method: "get", url: "/v1/admin/debug", status: 404, code: "not-found", undocumented: true },
  ];

  const snapshot = async () => {
    const q = async (sql: string) => (await ctx.database.db.pool.query(sql)).rows;
    return {
      bookings: await q(`SELECT id, version, state, note, start_at FROM bookings ORDER BY id`),
      idempotencyKeys: await q(`SELECT count(*)::int AS n FROM idempotency_keys`),
      scopeAssignments: await q(`SELECT count(*)::int AS n FROM scope_assignments`),
      auditEvents: await q(`SELECT count(*)::int AS n, max(id)::text AS last FROM audit_events`),
    };
  };

  it("each of at least 40 cases gets its 4xx problem+json and changes no row", async () => {
    const before = await snapshot();
    const list = cases();
    expect(list.length).toBeGreaterThanOrEqual(40);
    const failures: string[] = [];
    for (const c of list) {
      const res = await sendCase(ctx.http, c);
      if (res.status >= 500) failures.push(`${c.name}: ${res.status} ${res.text.slice(0, 200)}`);
      const got = `${res.status} ${res.body?.code}`;
      const problem = String(res.headers["content-type"]).startsWith("application/problem+json");
      if (got !== `${c.status} ${c.code}` || !problem) failures.push(`${c.name}: expected ${c.status} ${c.code}, got ${got} (${res.headers["content-type"]})`);
      else {
        if (!c.undocumented) expectContract(res);
        // Problem documents never carry stack traces or SQL.
        expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+|SELECT |INSERT |UPDATE |DELETE FROM|syntax error/);
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it("injection strings in free-text filters are data: an empty page, not an error", async () => {
    for (const url of ["/v1/virtual-machines?q=%27%20OR%201%3D1--", "/v1/bookings?subscriptionId=%27%20OR%20%271%27%3D%271", "/v1/audit-events?actor=%27%3B%20DROP%20TABLE%20audit_events%3B--"]) {
      const res = await ctx.http.get(url);
      expectContract(res);
      expect({ url, status: res.status, value: res.body.value }).toEqual({ url, status: 200, value: [] });
    }
  });
});
