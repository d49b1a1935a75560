// POST /v1/booking-batches end to end: supertest → Fastify → services → real Postgres, over a fleet of more than
// 1,000 VMs synced from the simulator (ARM pacing off: the sync is setup here, not what is tested).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { DAY, HOUR, MINUTE, fromNow, selfServiceWindow, vmFixtures, type FixtureVm } from "../helpers/bookings.js";
import { expectContract } from "../helpers/openapi.js";
import { until } from "../helpers/until.js";
import { BOOKER } from "../helpers/auth.js";
import { createScopeFixture, resourceGroup, type ScopeFixture } from "../helpers/scope.js";

const fleet = { subscriptions: 2, vmsPerSubscription: 545, scaleSetsPerSubscription: 0, seed: 12 };
const BIG = 1000;

describe("booking batches API", () => {
  let ctx: TestContext;
  let big: FixtureVm[]; // open self-service windows, for the 1,000-item batch
  let open: FixtureVm[]; // open windows, for the other tests
  let none: FixtureVm[]; // no maintenance
  let later: FixtureVm[]; // window opens in 2 days
  let notAllowed: FixtureVm[]; // Azure does not allow customer-initiated maintenance
  let nextOpen = 0;
  const takeOpen = (n: number) => open.slice(nextOpen, (nextOpen += n));

  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet, throttle: false, computePolicies: false }, gateway: { budget: false } });
    const all = await vmFixtures(() => ctx)(BIG + 80, (i) => {
      if (i < BIG + 60) return selfServiceWindow(-DAY, 10 * DAY);
      if (i < BIG + 65) return null;
      if (i < BIG + 70) return selfServiceWindow(2 * DAY, 10 * DAY);
      return selfServiceWindow(-DAY, 10 * DAY, { isCustomerInitiatedMaintenanceAllowed: false });
    });
    big = all.slice(0, BIG);
    open = all.slice(BIG, BIG + 60);
    none = all.slice(BIG + 60, BIG + 65);
    later = all.slice(BIG + 65, BIG + 70);
    notAllowed = all.slice(BIG + 70);
  }, 120_000);
  afterAll(() => ctx?.close());

  const batch = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await ctx.http.post("/v1/booking-batches").set(headers).send(body as object);
    expectContract(res);
    return res;
  };
  const count = async (sql: string, params: unknown[] = []) => Number((await ctx.database.db.pool.query(sql, params)).rows[0].n);
  const bookingsOf = (vms: FixtureVm[]) => count("SELECT count(*) AS n FROM bookings WHERE virtual_machine_id = ANY($1::uuid[])", [vms.map((v) => v.id)]);
  const written = async () => ({
    bookings: await count("SELECT count(*) AS n FROM bookings"),
    outbox: await count("SELECT count(*) AS n FROM outbox_events"),
    audit: await count("SELECT count(*) AS n FROM audit_events"),
    batches: await count("SELECT count(*) AS n FROM booking_batches"),
  });

  it("creates 1,000 bookings in one request, each with its audit and booking.created event", async () => {
    const note = "n".repeat(400); // ~460 KB of body: the route takes more than the 64 KiB other routes do
    const items = big.map((vm, i) => ({ virtualMachineId: vm.id, startAt: fromNow(2 * HOUR + i * MINUTE), note }));
    const res = await batch({ items });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ atomic: false, created: BIG, failed: 0 });
    expect(res.body.results.map((r: { index: number; status: number }) => [r.index, r.status])).toEqual(items.map((_, i) => [i, 201]));
    expect(res.body.results.map((r: { booking: { virtualMachineId: string } }) => r.booking.virtualMachineId)).toEqual(big.map((v) => v.id));
    expect(res.body.results[7].booking).toMatchObject({ state: "scheduled", note, startAt: new Date(items[7].startAt).toISOString(), attempts: [], createdBy: "anonymous" });
    const single = await ctx.http.get(`/v1/bookings/${res.body.results[7].booking.id}`);
    expect(single.body).toEqual(res.body.results[7].booking); // the same representation as the bookings API
    const ids = res.body.results.map((r: { booking: { id: string } }) => r.booking.id);
    expect(await bookingsOf(big)).toBe(BIG);
    expect(await count("SELECT count(*) AS n FROM audit_events WHERE action = 'booking.created' AND target_id = ANY($1)", [ids])).toBe(BIG);
    expect(await count("SELECT count(*) AS n FROM outbox_events WHERE type LIKE '%booking.created' AND subject = ANY($1)", [ids])).toBe(BIG);
    const { rows } = await ctx.database.db.pool.query("SELECT after, request_id FROM audit_events WHERE action = 'booking-batch.created' AND target_id = $1", [res.body.id]);
    expect(rows).toEqual([{ after: { atomic: false, items: BIG, created: BIG, failed: 0, idempotencyKey: null }, request_id: res.headers["x-request-id"] }]);
  });

  it("non-atomic: creates every valid item and answers each other item with the problem POST /v1/bookings gives it", async () => {
    const [a, b, c, d, e, taken] = takeOpen(6);
    const existing = (await ctx.http.post("/v1/bookings").send({ virtualMachineId: taken.id, startAt: fromNow(3 * HOUR) })).body;
    const items = [
      { virtualMachineId: a.id, startAt: fromNow(3 * HOUR) },
      { virtualMachineId: b.id, startAt: "2026-11-27T17:00:00" }, // no offset
      { virtualMachineId: randomUUID(), startAt: fromNow(3 * HOUR) },
      { virtualMachineId: none[0].id, startAt: fromNow(3 * HOUR) },
      { virtualMachineId: later[0].id, startAt: fromNow(DAY) }, // before its window opens
      { virtualMachineId: c.id, startAt: fromNow(MINUTE) },
      { virtualMachineId: d.id, startAt: fromNow(10 * DAY - 10 * MINUTE) },
      { virtualMachineId: notAllowed[0].id, startAt: fromNow(3 * HOUR) },
      { virtualMachineId: taken.id, startAt: fromNow(4 * HOUR) },
      { virtualMachineId: a.id.toUpperCase(), startAt: fromNow(5 * HOUR) }, // the same VM as item 0
      { virtualMachineId: e.id, startAt: fromNow(6 * HOUR), note: "" },
    ];
    const res = await batch({ items });
    expect(res.status).toBe(200);
    const codes = res.body.results.map((r: { status: number; problem?: { code: string } }) => [r.status, r.problem?.code ?? null]);
    expect(codes).toEqual([
      [201, null], [400, "invalid-start-at"], [422, "virtual-machine-unknown"], [422, "no-pending-maintenance"], [422, "outside-self-service-window"],
      [422, "start-too-soon"], [422, "too-close-to-window-end"], [422, "self-service-not-allowed"], [409, "active-booking-exists"], [409, "active-booking-exists"], [201, null],
    ]);
    expect(res.body).toMatchObject({ created: 2, failed: 9 });
    const [first] = res.body.results;
    expect(res.body.results[8].problem.existingBookingId).toBe(existing.id);
    expect(res.body.results[9].problem).toMatchObject({ existingBookingId: first.booking.id, type: "/problems/active-booking-exists", title: expect.any(String) });
    expect(res.body.results[10].booking.note).toBeNull();
    expect(await bookingsOf([a, b, c, d, e])).toBe(2);
    // Each failed item, sent alone, gets the same status and code (and the same detail, where it does not name the time).
    for (const [i, item] of items.entries()) {
      const { status, problem } = res.body.results[i];
      if (status === 201) continue;
      const alone = await ctx.http.post("/v1/bookings").send(item);
      expect([alone.status, alone.body.code]).toEqual([status, problem.code]);
      if (!["start-too-soon", "too-close-to-window-end", "outside-self-service-window"].includes(problem.code)) expect(alone.body.detail).toBe(problem.detail);
    }
  });

  describe("atomic", () => {
    it("one failing item: 422 naming it, and nothing written (no booking, audit, outbox event or batch)", async () => {
      const vms = takeOpen(3);
      const before = await written();
      const items = vms.map((vm, i) => ({ virtualMachineId: vm.id, startAt: fromNow((i === 1 ? 0.01 : 3) * HOUR) }));
      const res = await batch({ items, atomic: true });
      expect(res.status).toBe(422);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      expect(res.body).toMatchObject({ code: "booking-batch-refused", created: 0, failed: 1, requestId: res.headers["x-request-id"] });
      expect(res.body.results).toEqual([{ index: 1, status: 422, problem: expect.objectContaining({ code: "start-too-soon", earliestStartAt: expect.any(String) }) }]);
      expect(await written()).toEqual(before);
      const fixed = await batch({ items: items.filter((_, i) => i !== 1), atomic: true });
      expect(fixed.status).toBe(200);
      expect(fixed.body).toMatchObject({ atomic: true, created: 2, failed: 0 });
    });

    it("a VM named twice refuses the batch, naming the earlier item", async () => {
      const [vm] = takeOpen(1);
      const before = await written();
      const res = await batch({ items: [{ virtualMachineId: vm.id, startAt: fromNow(3 * HOUR) }, { virtualMachineId: vm.id, startAt: fromNow(4 * HOUR) }], atomic: true });
      expect(res.status).toBe(422);
      expect(res.body.results).toMatchObject([{ index: 1, status: 409, problem: { code: "active-booking-exists", existingBookingId: null } }]);
      expect(res.body.results[0].problem.detail).toContain("item 0 of this batch");
      expect(await written()).toEqual(before);
    });
  });

  describe("races with single creates (the partial unique index decides)", () => {
    /** Holds an uncommitted booking of `vmId` while `send` runs; commits once the batch waits on it. */
    async function whileHeld(vmId: string, send: () => Promise<import("supertest").Response>) {
      const client = await ctx.database.db.pool.connect();
      try {
        await client.query("BEGIN");
        const { rows } = await client.query(
          `INSERT INTO bookings (id, virtual_machine_id, start_at, state, created_by) VALUES (gen_random_uuid(), $1, now() + interval '3 hours', 'scheduled', 'racer') RETURNING id`,
          [vmId],
        );
        const pending = send();
        await until("the batch to wait for the held booking", async () =>
          (await ctx.database.db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO bookings AS b%'`)).rowCount! > 0);
        await client.query("COMMIT");
        return { res: await pending, racer: rows[0].id as string };
      } finally {
        client.release();
      }
    }

    it("non-atomic: the item that lost is active-booking-exists naming the winner; the others are created", async () => {
      const [a, b] = takeOpen(2);
      const { res, racer } = await whileHeld(b.id, () => batch({ items: [a, b].map((vm) => ({ virtualMachineId: vm.id, startAt: fromNow(4 * HOUR) })) }));
      expect(res.status).toBe(200);
      expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([201, 409]);
      expect(res.body.results[1].problem).toMatchObject({ code: "active-booking-exists", existingBookingId: racer });
      expect(await bookingsOf([a, b])).toBe(2);
    });

    it("atomic: losing one item writes nothing", async () => {
      const [a, b] = takeOpen(2);
      const before = await written();
      const { res, racer } = await whileHeld(b.id, () => batch({ items: [a, b].map((vm) => ({ virtualMachineId: vm.id, startAt: fromNow(4 * HOUR) })), atomic: true }));
      expect(res.status).toBe(422);
      expect(res.body.results).toMatchObject([{ index: 1, status: 409, problem: { code: "active-booking-exists", existingBookingId: racer } }]);
      expect(await bookingsOf([a])).toBe(0);
      expect(await written()).toEqual({ ...before, bookings: before.bookings + 1 }); // the racer's own
    });
  });

  describe("Idempotency-Key", () => {
    it("the same key and body replay the first answer, failed items included; no second booking", async () => {
      const [a, b] = takeOpen(2);
      const body = { items: [{ virtualMachineId: a.id, startAt: fromNow(3 * HOUR) }, { virtualMachineId: b.id, startAt: fromNow(MINUTE) }, { virtualMachineId: b.id, startAt: fromNow(5 * HOUR) }] };
      const first = await batch(body, { "idempotency-key": "nightly-1" });
      expect(first.body.results.map((r: { status: number }) => r.status)).toEqual([201, 422, 201]);
      const retry = await batch(body, { "idempotency-key": "nightly-1" });
      expect(retry.status).toBe(200);
      expect(retry.headers["idempotent-replayed"]).toBe("true");
      expect(first.headers["idempotent-replayed"]).toBeUndefined();
      expect(retry.body).toEqual(first.body);
      expect(await bookingsOf([a, b])).toBe(2);
      const other = await batch({ ...body, atomic: true }, { "idempotency-key": "nightly-1" });
      expect(other.status).toBe(422);
      expect(other.body.code).toBe("idempotency-key-reused");
      expect(other.body.detail).toContain(first.body.id);
    });

    it("concurrent retries with one key create each booking once and all answer the same", async () => {
      const vms = takeOpen(5);
      const body = { items: vms.map((vm) => ({ virtualMachineId: vm.id, startAt: fromNow(3 * HOUR) })), atomic: true };
      const answers = await Promise.all(Array.from({ length: 8 }, () => batch(body, { "idempotency-key": "burst" })));
      expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(new Set(answers.map((r) => JSON.stringify(r.body))).size).toBe(1);
      expect(await bookingsOf(vms)).toBe(5);
      expect(await count("SELECT count(*) AS n FROM booking_batches WHERE idempotency_key = 'burst'")).toBe(1);
    });

    it("a refused batch is not remembered: its key may be used again", async () => {
      const [a] = takeOpen(1);
      const refused = await batch({ items: [{ virtualMachineId: a.id, startAt: fromNow(MINUTE) }], atomic: true }, { "idempotency-key": "fix-and-retry" });
      expect(refused.status).toBe(422);
      const fixed = await batch({ items: [{ virtualMachineId: a.id, startAt: fromNow(3 * HOUR) }], atomic: true }, { "idempotency-key": "fix-and-retry" });
      expect(fixed.status).toBe(200);
      expect(fixed.headers["idempotent-replayed"]).toBeUndefined();
    });
  });

  describe("malformed bodies: 400 or 413 problem+json, nothing written", () => {
    const item = () => ({ virtualMachineId: open[59].id, startAt: fromNow(3 * HOUR) });
    it.each([
      ["no items", () => ({ items: [] }), 400],
      ["items not an array", () => ({ items: item() }), 400],
      ["atomic not a boolean", () => ({ items: [item()], atomic: "yes" }), 400],
      ["startAt a number", () => ({ items: [{ ...item(), startAt: 5 }] }), 400],
      ["an unknown member in an item", () => ({ items: [{ ...item(), createdBy: "mallory" }] }), 400],
      ["a bare array", () => [item()], 400],
      ["5,001 items", () => ({ items: Array.from({ length: 5001 }, item) }), 400],
      ["a note of 1,001 characters", () => ({ items: [item(), { ...item(), note: "x".repeat(1001) }] }), 400],
      ["a 6 MiB body", () => ({ items: Array.from({ length: 5000 }, () => ({ ...item(), note: "\u00e9".repeat(600) })) }), 413],
    ])("%s", async (_name, body, status) => {
      const before = await written();
      const res = await batch(body());
      expect(res.status).toBe(status);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      expect(res.body.code).toBe(status === 413 ? "payload-too-large" : "validation-failed");
      expect(await written()).toEqual(before);
    });

    it("other routes keep the 64 KiB limit", async () => {
      const res = await ctx.http.post("/v1/bookings").send({ ...item(), note: "x".repeat(70 * 1024) });
      expect(res.status).toBe(413);
    });
  });
});

describe("booking batches and scope", () => {
  let fx: ScopeFixture;
  beforeAll(async () => {
    fx = await createScopeFixture();
  });
  afterAll(() => fx?.close());

  it("an item for a VM outside the caller's scope is forbidden (403, not saying where it is); the others are booked", async () => {
    const { ctx, idp, mine, theirs } = fx;
    const carol = await idp.user(BOOKER, { oid: "0c0c0c0c-0000-4000-8000-000000000c0c", preferred_username: "carol@contoso.com", groups: [] });
    const assigned = await ctx.http.post("/v1/scope-assignments").send({ principalId: "0c0c0c0c-0000-4000-8000-000000000c0c", subscriptionId: mine[0].subscriptionId });
    expect(assigned.status).toBe(201);
    const items = [mine[1], theirs[1], mine[2]].map((vm) => ({ virtualMachineId: vm.id, startAt: fromNow(3 * HOUR) }));
    const res = await ctx.anonymous.post("/v1/booking-batches").set("authorization", `Bearer ${carol}`).send({ items });
    expectContract(res);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: number; problem?: { code: string } }) => [r.status, r.problem?.code ?? null])).toEqual([[201, null], [403, "forbidden"], [201, null]]);
    expect(JSON.stringify(res.body.results[1])).not.toContain(theirs[1].subscriptionId);
    expect(JSON.stringify(res.body.results[1])).not.toContain(resourceGroup(theirs[1]));
    expect(res.body.results[0].booking.createdBy).toBe("carol@contoso.com");
    const atomic = await ctx.anonymous.post("/v1/booking-batches").set("authorization", `Bearer ${carol}`).send({ items: [items[1]], atomic: true });
    expectContract(atomic);
    expect(atomic.body.results).toMatchObject([{ index: 0, status: 403, problem: { code: "forbidden" } }]);
  });

  it("a reader may not book in bulk (403 naming the role)", async () => {
    const reader = await fx.idp.user(["Maintenance.Read"], { oid: "0d0d0d0d-0000-4000-8000-000000000d0d", groups: [] });
    const res = await fx.ctx.anonymous.post("/v1/booking-batches").set("authorization", `Bearer ${reader}`).send({ items: [{ virtualMachineId: fx.mine[3].id, startAt: fromNow(3 * HOUR) }] });
    expectContract(res);
    expect(res.status).toBe(403);
    expect(res.body.requiredRole).toBe("Maintenance.Book");
  });
});
