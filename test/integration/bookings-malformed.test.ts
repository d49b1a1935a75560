// Every malformed request gets a 4xx problem+json and writes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { DAY, HOUR, fromNow, selfServiceWindow, vmFixtures } from "../helpers/bookings.js";
import { expectContract } from "../helpers/openapi.js";
import { sendCase, type RequestCase as Case } from "../helpers/request-table.js";

describe("malformed booking requests", () => {
  let ctx: TestContext;
  let vm: string;
  let booking: Record<string, any>;
  const vms = vmFixtures(() => ctx);
  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 5, seed: 3 } } });
    [{ id: vm }] = await vms(2, () => selfServiceWindow(-DAY, 5 * DAY));
    booking = (await ctx.http.post("/v1/bookings").send({ virtualMachineId: vm, startAt: fromNow(3 * HOUR), note: "keep" })).body;
  });
  afterAll(() => ctx?.close());

  const ok = () => ({ virtualMachineId: vm, startAt: fromNow(4 * HOUR) });
  const json = { "content-type": "application/json" };
  const creates = (): Case[] => [
    { name: "virtualMachineId is a number", method: "post", url: "/v1/bookings", body: { ...ok(), virtualMachineId: 42 }, status: 400, code: "validation-failed" },
    { name: "virtualMachineId in an array", method: "post", url: "/v1/bookings", body: { ...ok(), virtualMachineId: [vm] }, status: 400, code: "validation-failed" },
    { name: "virtualMachineId not a UUID", method: "post", url: "/v1/bookings", body: { ...ok(), virtualMachineId: "vm-web-01" }, status: 400, code: "validation-failed" },
    { name: "startAt is a number", method: "post", url: "/v1/bookings", body: { ...ok(), startAt: 1795798800000 }, status: 400, code: "validation-failed" },
    { name: "startAt is null", method: "post", url: "/v1/bookings", body: { ...ok(), startAt: null }, status: 400, code: "validation-failed" },
    { name: "note is a number", method: "post", url: "/v1/bookings", body: { ...ok(), note: 5 }, status: 400, code: "validation-failed" },
    { name: "note is a boolean", method: "post", url: "/v1/bookings", body: { ...ok(), note: true }, status: 400, code: "validation-failed" },
    { name: "note is too long", method: "post", url: "/v1/bookings", body: { ...ok(), note: "x".repeat(1001) }, status: 400, code: "validation-failed" },
    { name: "unknown field", method: "post", url: "/v1/bookings", body: { ...ok(), colour: "blue" }, status: 400, code: "validation-failed" },
    { name: "state may not be set", method: "post", url: "/v1/bookings", body: { ...ok(), state: "running" }, status: 400, code: "validation-failed" },
    { name: "startAt missing", method: "post", url: "/v1/bookings", body: { virtualMachineId: vm }, status: 400, code: "validation-failed" },
    { name: "virtualMachineId missing", method: "post", url: "/v1/bookings", body: { startAt: fromNow(4 * HOUR) }, status: 400, code: "validation-failed" },
    { name: "startAt without offset", method: "post", url: "/v1/bookings", body: { ...ok(), startAt: "2026-11-27T17:00:00" }, status: 400, code: "invalid-start-at" },
    { name: "startAt a date only", method: "post", url: "/v1/bookings", body: { ...ok(), startAt: "2026-11-27" }, status: 400, code: "invalid-start-at" },
    { name: "startAt in words", method: "post", url: "/v1/bookings", body: { ...ok(), startAt: "tomorrow at noon" }, status: 400, code: "invalid-start-at" },
    { name: "startAt February 30", method: "post", url: "/v1/bookings", body: { ...ok(), startAt: "2027-02-30T10:00:00Z" }, status: 400, code: "invalid-start-at" },
    { name: "startAt hour 24", method: "post", url: "/v1/bookings", body: { ...ok(), startAt: "2027-01-10T24:00:00Z" }, status: 400, code: "invalid-start-at" },
    { name: "startAt offset out of range", method: "post", url: "/v1/bookings", body: { ...ok(), startAt: "2027-01-10T10:00:00+25:00" }, status: 400, code: "invalid-start-at" },
    { name: "startAt too long", method: "post", url: "/v1/bookings", body: { ...ok(), startAt: `2027-01-10T10:00:00.${"1".repeat(80)}Z` }, status: 400, code: "validation-failed" },
    { name: "body is an array", method: "post", url: "/v1/bookings", body: [ok()], status: 400, code: "validation-failed" },
    { name: "body is not JSON", method: "post", url: "/v1/bookings", headers: json, body: "{virtualMachineId:", status: 400, code: "validation-failed" },
    { name: "empty JSON body", method: "post", url: "/v1/bookings", headers: json, body: "", status: 400, code: "validation-failed" },
    { name: "no body", method: "post", url: "/v1/bookings", status: 400, code: "validation-failed" },
    { name: "body as XML", method: "post", url: "/v1/bookings", headers: { "content-type": "application/xml" }, body: "<booking/>", status: 415, code: "unsupported-media-type" },
    { name: "oversized body", method: "post", url: "/v1/bookings", body: { ...ok(), note: "x".repeat(70 * 1024) }, status: 413, code: "payload-too-large" },
    { name: "Idempotency-Key too long", method: "post", url: "/v1/bookings", headers: { "idempotency-key": "k".repeat(256) }, body: ok(), status: 400, code: "validation-failed" },
    { name: "Idempotency-Key with a space", method: "post", url: "/v1/bookings", headers: { "idempotency-key": "a b" }, body: ok(), status: 400, code: "validation-failed" },
    { name: "unknown VM", method: "post", url: "/v1/bookings", body: { ...ok(), virtualMachineId: "7c9e6679-7425-40de-944b-e07fc1f90ae7" }, status: 422, code: "virtual-machine-unknown" },
  ];
  const others = (): Case[] => [
    { name: "GET with a bad id", method: "get", url: "/v1/bookings/not-a-uuid", status: 400, code: "validation-failed" },
    { name: "GET with an injected id", method: "get", url: "/v1/bookings/1'%20OR%20'1'='1", status: 400, code: "validation-failed" },
    { name: "list with an unknown state", method: "get", url: "/v1/bookings?state=done", status: 400, code: "validation-failed" },
    { name: "list with an unknown parameter", method: "get", url: "/v1/bookings?colour=blue", status: 400, code: "validation-failed" },
    { name: "list with limit 0", method: "get", url: "/v1/bookings?limit=0", status: 400, code: "validation-failed" },
    { name: "list with limit 1001", method: "get", url: "/v1/bookings?limit=1001", status: 400, code: "validation-failed" },
    { name: "list with a non-numeric limit", method: "get", url: "/v1/bookings?limit=ten", status: 400, code: "validation-failed" },
    { name: "list with startFrom without offset", method: "get", url: "/v1/bookings?startFrom=2026-11-27T17:00:00", status: 400, code: "validation-failed" },
    { name: "list with a bad startTo", method: "get", url: "/v1/bookings?startTo=yesterday", status: 400, code: "validation-failed" },
    { name: "list with a bad VM id", method: "get", url: "/v1/bookings?virtualMachineId=42", status: 400, code: "validation-failed" },
    { name: "list with a forged cursor", method: "get", url: "/v1/bookings?cursor=eyJ0IjoiYSJ9", status: 400, code: "invalid-cursor" },
    { name: "list with a garbage cursor", method: "get", url: "/v1/bookings?cursor=%%%", status: 400, code: "invalid-cursor" },
    { name: "PATCH with a bad id", method: "patch", url: "/v1/bookings/123", headers: { "if-match": '"1"' }, body: { note: "x" }, status: 400, code: "validation-failed" },
    { name: "PATCH with an empty body", method: "patch", url: `/v1/bookings/${booking.id}`, headers: { "if-match": '"1"' }, body: {}, status: 400, code: "validation-failed" },
    { name: "PATCH with an unknown field", method: "patch", url: `/v1/bookings/${booking.id}`, headers: { "if-match": '"1"' }, body: { state: "cancelled" }, status: 400, code: "validation-failed" },
    { name: "PATCH moving the VM", method: "patch", url: `/v1/bookings/${booking.id}`, headers: { "if-match": '"1"' }, body: { virtualMachineId: vm }, status: 400, code: "validation-failed" },
    { name: "PATCH note wrong type", method: "patch", url: `/v1/bookings/${booking.id}`, headers: { "if-match": '"1"' }, body: { note: 12 }, status: 400, code: "validation-failed" },
    { name: "PATCH startAt without offset", method: "patch", url: `/v1/bookings/${booking.id}`, headers: { "if-match": '"1"' }, body: { startAt: "2026-11-27 17:00" }, status: 400, code: "invalid-start-at" },
    { name: "PATCH without If-Match", method: "patch", url: `/v1/bookings/${booking.id}`, body: { note: "x" }, status: 428, code: "precondition-required" },
    { name: "PATCH with a weak ETag", method: "patch", url: `/v1/bookings/${booking.id}`, headers: { "if-match": 'W/"1"' }, body: { note: "x" }, status: 412, code: "precondition-failed" },
    { name: "PATCH of an unknown booking", method: "patch", url: "/v1/bookings/7c9e6679-7425-40de-944b-e07fc1f90ae7", headers: { "if-match": '"1"' }, body: { note: "x" }, status: 404, code: "not-found" },
    { name: "PATCH oversized", method: "patch", url: `/v1/bookings/${booking.id}`, headers: { "if-match": '"1"' }, body: { note: "x".repeat(70 * 1024) }, status: 413, code: "payload-too-large" },
    { name: "cancel with a bad id", method: "post", url: "/v1/bookings/abc/cancel", status: 400, code: "validation-failed" },
    { name: "cancel an unknown booking", method: "post", url: "/v1/bookings/7c9e6679-7425-40de-944b-e07fc1f90ae7/cancel", status: 404, code: "not-found" },
    { name: "cancel with a stale If-Match", method: "post", url: `/v1/bookings/${booking.id}/cancel`, headers: { "if-match": '"9"' }, status: 412, code: "precondition-failed" },
  ];

  const send = async (c: Case) => {
    const res = await sendCase(ctx.http, c);
    expectContract(res);
    return res;
  };

  it("each gets a 4xx problem document with its code", async () => {
    const failures: string[] = [];
    for (const c of [...creates(), ...others()]) {
      const res = await send(c);
      const got = `${res.status} ${res.body?.code}`;
      if (got !== `${c.status} ${c.code}` || !String(res.headers["content-type"]).startsWith("application/problem+json")) failures.push(`${c.name}: expected ${c.status} ${c.code}, got ${got}`);
      else expect(res.body).toMatchObject({ type: `/problems/${c.code}`, status: c.status, detail: expect.any(String) });
    }
    expect(failures).toEqual([]);
  });

  it("and writes nothing", async () => {
    const pool = ctx.database.db.pool;
    const { rows } = await pool.query(`SELECT id, version, note, start_at FROM bookings`);
    expect(rows).toEqual([{ id: booking.id, version: 1, note: "keep", start_at: new Date(booking.startAt) }]);
    expect((await pool.query(`SELECT count(*)::int AS n FROM idempotency_keys`)).rows[0].n).toBe(0);
  });

  it("names the offending field", async () => {
    const res = await send(creates().find((c) => c.name === "unknown field")!);
    expect(res.body.detail).toContain("colour");
    expect(res.body.errors[0]).toMatchObject({ location: "body", field: "colour" });
    const typed = await send(creates().find((c) => c.name === "note is a number")!);
    expect(typed.body.errors[0]).toMatchObject({ location: "body", path: "/note" });
  });
});
