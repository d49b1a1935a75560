// Issue 10 regressions at the API: dates and cursors that used to reach the database (500), request ids chosen by
// the caller in the audit trail, admins locking themselves out, and empty notes.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { ADMIN, startTestIdentityProvider, type TestIdentityProvider } from "../helpers/auth.js";
import { DAY, HOUR, fromNow, selfServiceWindow, vmFixtures, type FixtureVm } from "../helpers/bookings.js";
import { expectContract } from "../helpers/openapi.js";

const cursor = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
const ADMIN_OID = "0ad10000-0000-4000-8000-0000000000ad";
const ADMINS_GROUP = "0ad20000-0000-4000-8000-0000000000ad";
const SUB = "11111111-1111-4111-8111-111111111111";

describe("security hardening (issue 10)", () => {
  let idp: TestIdentityProvider;
  let ctx: TestContext;
  let vms: FixtureVm[];
  let admin: string;
  const fixtures = vmFixtures(() => ctx);
  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 6, scaleSetsPerSubscription: 0, seed: 21 } }, auth: idp.setup(), token: await idp.app(ADMIN) });
    vms = await fixtures(4, () => selfServiceWindow(-DAY, 5 * DAY));
    admin = await idp.user(ADMIN, { oid: ADMIN_OID, preferred_username: "root@contoso.com", groups: [ADMINS_GROUP] });
  });
  afterAll(async () => {
    await ctx?.close();
    await idp?.close();
  });
  const problem = async (url: string) => {
    const res = await ctx.http.get(url);
    expectContract(res);
    return { status: res.status, code: res.body.code };
  };

  describe("dates and cursors never reach the database unchecked", () => {
    it.each([
      ["/v1/bookings?startFrom=2026-12-31T23:59:60Z"],
      ["/v1/bookings?startTo=2026-12-31T23:59:60Z"],
      ["/v1/audit-events?from=2026-12-31T23:59:60Z"],
      ["/v1/audit-events?to=2026-06-30T23:59:60Z"],
    ])("a leap second that passes the date-time format is 400 validation-failed: %s", async (url) => {
      expect(await problem(url)).toEqual({ status: 400, code: "validation-failed" });
    });

    it.each([
      ["bookings, timestamp before PostgreSQL's range", `/v1/bookings?cursor=${cursor({ t: "-271821-04-20T00:00:00.000Z", id: randomUUID() })}`],
      ["bookings, timestamp not in the issued form", `/v1/bookings?cursor=${cursor({ t: "Tue, 01 Dec 2026 00:00:00 GMT", id: randomUUID() })}`],
      ["sync runs, timestamp before PostgreSQL's range", `/v1/sync-runs?cursor=${cursor({ t: "-271821-04-20T00:00:00.000Z", id: randomUUID() })}`],
      ["sync runs, an id of 36 dashes", `/v1/sync-runs?cursor=${cursor({ t: "2026-11-28T00:00:00.000Z", id: "-".repeat(36) })}`],
      ["audit events, an id beyond bigint", `/v1/audit-events?cursor=${cursor({ id: "9223372036854775808" })}`],
      ["virtual machines, a key that no VM list issues", `/v1/virtual-machines?cursor=${cursor({ k: "zzz" })}`],
      ["scope assignments, a non-UUID id", `/v1/scope-assignments?cursor=${cursor({ id: "x" })}`],
    ])("a forged cursor is 400 invalid-cursor: %s", async (_name, url) => {
      expect(await problem(url)).toEqual({ status: 400, code: "invalid-cursor" });
    });
  });

  describe("request ids", () => {
    it("the audit trail records a server-generated requestId and keeps the caller's x-request-id as clientRequestId", async () => {
      const res = await ctx.http.post("/v1/bookings").set("x-request-id", "caller-chosen-1").send({ virtualMachineId: vms[0].id, startAt: fromNow(3 * HOUR) });
      expectContract(res);
      expect(res.status).toBe(201);
      const serverId = res.headers["x-request-id"];
      expect(serverId).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers["x-client-request-id"]).toBe("caller-chosen-1");
      const events = (await ctx.http.get(`/v1/audit-events?targetId=${res.body.id}`)).body.value;
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ requestId: serverId, clientRequestId: "caller-chosen-1" });
      // Two requests naming the same client id stay apart in the trail.
      const again = await ctx.http.post(`/v1/bookings/${res.body.id}/cancel`).set("x-request-id", "caller-chosen-1");
      expect(again.headers["x-request-id"]).not.toBe(serverId);
    });

    it("problem documents carry the server's requestId and the caller's clientRequestId", async () => {
      const res = await ctx.http.get("/v1/bookings/00000000-0000-4000-8000-000000000000").set("x-request-id", "caller-chosen-2");
      expectContract(res);
      expect(res.body).toMatchObject({ code: "not-found", requestId: res.headers["x-request-id"], clientRequestId: "caller-chosen-2" });
      expect(res.body.requestId).not.toBe("caller-chosen-2");
    });
  });

  describe("an admin cannot lock themselves out", () => {
    it.each([
      ["their own object id", ADMIN_OID.toUpperCase()],
      ["one of the groups in their token", ADMINS_GROUP],
    ])("an assignment naming %s is refused with 409 and changes nothing", async (_name, principalId) => {
      const res = await ctx.anonymous.post("/v1/scope-assignments").set("authorization", `Bearer ${admin}`).send({ principalId, subscriptionId: SUB });
      expectContract(res);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe("scope-assignment-names-caller");
      expect(res.body.detail).toContain(principalId.toLowerCase());
      expect((await ctx.anonymous.get("/v1/scope-assignments").set("authorization", `Bearer ${admin}`)).body.value).toEqual([]);
    });

    it("an assignment naming someone else is still allowed", async () => {
      const res = await ctx.anonymous.post("/v1/scope-assignments").set("authorization", `Bearer ${admin}`).send({ principalId: randomUUID(), subscriptionId: SUB });
      expect(res.status).toBe(201);
      expect((await ctx.anonymous.delete(`/v1/scope-assignments/${res.body.id}`).set("authorization", `Bearer ${admin}`)).status).toBe(204);
    });
  });

  describe("notes", () => {
    const stored = async (id: string) => (await ctx.database.db.pool.query("SELECT note FROM bookings WHERE id = $1", [id])).rows[0].note;

    it('"note": "" on create is stored as null (no note)', async () => {
      const res = await ctx.http.post("/v1/bookings").send({ virtualMachineId: vms[1].id, startAt: fromNow(3 * HOUR), note: "" });
      expectContract(res);
      expect(res.status).toBe(201);
      expect(res.body.note).toBeNull();
      expect(await stored(res.body.id)).toBeNull();
    });

    it('"note": "" on PATCH clears the note, as the contract says', async () => {
      const created = await ctx.http.post("/v1/bookings").send({ virtualMachineId: vms[2].id, startAt: fromNow(3 * HOUR), note: "keep me?" });
      const res = await ctx.http.patch(`/v1/bookings/${created.body.id}`).set("if-match", created.headers.etag).send({ note: "" });
      expectContract(res);
      expect(res.status).toBe(200);
      expect(res.body.note).toBeNull();
      expect(await stored(created.body.id)).toBeNull();
    });
  });
});
