// The bookings API end to end: supertest → Fastify → services → real Postgres, VMs synced from the simulator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { DAY, HOUR, MINUTE, fromNow, selfServiceWindow, vmFixtures, type FixtureVm } from "../helpers/bookings.js";
import { expectContract } from "../helpers/openapi.js";
import { listAll, syncNow } from "../helpers/sync.js";

const fleet = { subscriptions: 2, vmsPerSubscription: 40, scaleSetsPerSubscription: 0, seed: 11 };

describe("bookings API", () => {
  let ctx: TestContext;
  const vms = vmFixtures(() => ctx);
  let open: FixtureVm[];
  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet } });
    open = await vms(12, () => selfServiceWindow(-DAY, 10 * DAY));
  });
  afterAll(() => ctx?.close());

  const create = async (body: object, headers: Record<string, string> = {}) => {
    const res = await ctx.http.post("/v1/bookings").set(headers).send(body);
    expectContract(res);
    return res;
  };
  const get = async (id: string) => {
    const res = await ctx.http.get(`/v1/bookings/${id}`);
    expectContract(res);
    return res;
  };
  const count = async (sql: string, params: unknown[] = []) => Number((await ctx.database.db.pool.query(sql, params)).rows[0].n);

  it("creates a booking: 201, Location, ETag, UTC startAt, and GET returns it with its attempts", async () => {
    const startAt = new Date(Date.now() + 2 * HOUR);
    startAt.setUTCMilliseconds(0);
    const local = new Date(startAt.getTime() - 7 * HOUR).toISOString().slice(0, 19) + "-07:00";
    const res = await create({ virtualMachineId: open[0].id, startAt: local, note: "patch night" });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v1/bookings/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({
      virtualMachineId: open[0].id, startAt: startAt.toISOString(), state: "scheduled", stateReason: null, note: "patch night", createdBy: "anonymous", attempts: [],
    });
    const again = await get(res.body.id);
    expect(again.status).toBe(200);
    expect(again.headers.etag).toBe('"1"');
    expect(again.body).toEqual(res.body);
  });

  it("refuses a second active booking for the VM with 409 naming the existing one", async () => {
    const first = await create({ virtualMachineId: open[1].id, startAt: fromNow(3 * HOUR) });
    const second = await create({ virtualMachineId: open[1].id, startAt: fromNow(4 * HOUR) });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: "active-booking-exists", existingBookingId: first.body.id });
    expect(second.body.detail).toContain(first.body.id);
  });

  it("50 concurrent creates for one VM yield exactly one booking", async () => {
    const vm = open[2].id;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => create({ virtualMachineId: vm, startAt: fromNow(2 * HOUR + i * MINUTE) })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const winner = results.find((r) => r.status === 201)!.body.id;
    expect(results.filter((r) => r.status === 409).every((r) => r.body.existingBookingId === winner)).toBe(true);
    expect(await count("SELECT count(*) AS n FROM bookings WHERE virtual_machine_id = $1", [vm])).toBe(1);
  });

  describe("Idempotency-Key", () => {
    it("a retry with the same key and body returns the original booking, and no second one", async () => {
      const body = { virtualMachineId: open[3].id, startAt: "2099-01-01T00:00:00Z" };
      body.startAt = fromNow(5 * HOUR);
      const first = await create(body, { "idempotency-key": "retry-1" });
      const retry = await create(body, { "idempotency-key": "retry-1" });
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.location).toBe(first.headers.location);
      expect(retry.headers.etag).toBe(first.headers.etag);
      expect(retry.headers["idempotent-replayed"]).toBe("true");
      expect(first.headers["idempotent-replayed"]).toBeUndefined();
      expect(await count("SELECT count(*) AS n FROM bookings WHERE virtual_machine_id = $1", [open[3].id])).toBe(1);
    });

    it("the same instant sent with another offset is the same request", async () => {
      const at = new Date(Date.now() + 6 * HOUR);
      at.setUTCMilliseconds(0);
      const first = await create({ virtualMachineId: open[4].id, startAt: at.toISOString() }, { "idempotency-key": "offsets" });
      const shifted = new Date(at.getTime() + 2 * HOUR).toISOString().slice(0, 19) + "+02:00";
      const retry = await create({ virtualMachineId: open[4].id, startAt: shifted }, { "idempotency-key": "offsets" });
      expect(retry.status).toBe(201);
      expect(retry.body.id).toBe(first.body.id);
    });

    it("the same key with another body is refused with 422", async () => {
      const first = await create({ virtualMachineId: open[5].id, startAt: fromNow(5 * HOUR) }, { "idempotency-key": "reused" });
      const other = await create({ virtualMachineId: open[5].id, startAt: fromNow(6 * HOUR) }, { "idempotency-key": "reused" });
      expect(other.status).toBe(422);
      expect(other.body).toMatchObject({ code: "idempotency-key-reused", existingBookingId: first.body.id });
    });

    it("concurrent retries with one key create one booking and all answer with it", async () => {
      const body = { virtualMachineId: open[6].id, startAt: fromNow(7 * HOUR) };
      const results = await Promise.all(Array.from({ length: 20 }, () => create(body, { "idempotency-key": "burst" })));
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(await count("SELECT count(*) AS n FROM idempotency_keys WHERE key = 'burst'")).toBe(1);
    });
  });

  describe("PATCH", () => {
    let booking: Record<string, any>;
    beforeAll(async () => {
      booking = (await create({ virtualMachineId: open[7].id, startAt: fromNow(3 * HOUR), note: "first" })).body;
    });
    const patch = async (body: object, ifMatch?: string) => {
      const req = ctx.http.patch(`/v1/bookings/${booking.id}`);
      const res = await (ifMatch === undefined ? req : req.set("if-match", ifMatch)).send(body);
      expectContract(res);
      return res;
    };

    it("requires If-Match (428)", async () => {
      const res = await patch({ note: "x" });
      expect(res.status).toBe(428);
      expect(res.body.code).toBe("precondition-required");
    });

    it("moves the booking and changes its ETag", async () => {
      const startAt = new Date(Date.now() + 4 * HOUR);
      const res = await patch({ startAt: startAt.toISOString(), note: null }, '"1"');
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe('"2"');
      expect(res.body).toMatchObject({ id: booking.id, startAt: startAt.toISOString(), note: null, state: "scheduled" });
      expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(booking.updatedAt));
    });

    it("refuses a stale If-Match with 412 and changes nothing", async () => {
      const before = await get(booking.id);
      const res = await patch({ note: "lost update" }, '"1"');
      expect(res.status).toBe(412);
      expect(res.body.code).toBe("precondition-failed");
      const after = await get(booking.id);
      expect(after.body).toEqual(before.body);
      expect(after.headers.etag).toBe(before.headers.etag);
    });

    it("applies the create rules to a new startAt", async () => {
      const soon = await patch({ startAt: fromNow(MINUTE) }, '"2"');
      expect(soon.status).toBe(422);
      expect(soon.body).toMatchObject({ code: "start-too-soon", earliestStartAt: expect.any(String) });
      const late = await patch({ startAt: fromNow(20 * DAY) }, '"2"');
      expect(late.status).toBe(422);
      expect(late.body.code).toBe("outside-self-service-window");
      expect((await get(booking.id)).headers.etag).toBe('"2"');
    });

    it("of two concurrent changes with the same ETag exactly one wins", async () => {
      const [a, b] = await Promise.all([patch({ note: "a" }, '"2"'), patch({ note: "b" }, '"2"')]);
      expect([a.status, b.status].sort()).toEqual([200, 412]);
      const winner = a.status === 200 ? a : b;
      expect((await get(booking.id)).body.note).toBe(winner.body.note);
    });
  });

  describe("cancel", () => {
    it("cancels a scheduled booking; a second cancel is 409 with the current state; the VM can be booked again", async () => {
      const vm = open[8].id;
      const booking = (await create({ virtualMachineId: vm, startAt: fromNow(3 * HOUR) })).body;
      const res = await ctx.http.post(`/v1/bookings/${booking.id}/cancel`);
      expectContract(res);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ state: "cancelled", stateReason: "Cancelled by anonymous." });
      expect(res.headers.etag).toBe('"2"');
      const again = await ctx.http.post(`/v1/bookings/${booking.id}/cancel`);
      expectContract(again);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: "booking-not-scheduled", currentState: "cancelled" });
      const patched = await ctx.http.patch(`/v1/bookings/${booking.id}`).set("if-match", '"2"').send({ note: "x" });
      expectContract(patched);
      expect(patched.status).toBe(409);
      const next = await create({ virtualMachineId: vm, startAt: fromNow(4 * HOUR) });
      expect(next.status).toBe(201);
      expect((await get(booking.id)).body.state).toBe("cancelled"); // kept for history
    });

    it("honours If-Match when sent", async () => {
      const booking = (await create({ virtualMachineId: open[9].id, startAt: fromNow(3 * HOUR) })).body;
      const stale = await ctx.http.post(`/v1/bookings/${booking.id}/cancel`).set("if-match", '"7"');
      expectContract(stale);
      expect(stale.status).toBe(412);
      expect((await get(booking.id)).body.state).toBe("scheduled");
    });

    it("a running booking can be neither changed nor cancelled; its attempts are listed in order", async () => {
      const booking = (await create({ virtualMachineId: open[10].id, startAt: fromNow(3 * HOUR) })).body;
      const pool = ctx.database.db.pool;
      await pool.query(`UPDATE bookings SET state = 'running', version = version + 1 WHERE id = $1`, [booking.id]);
      await pool.query(
        `INSERT INTO execution_attempts (id, booking_id, number, started_at, finished_at, outcome, http_status, error_code, error_message, operation_id)
         VALUES (gen_random_uuid(), $1, 2, now(), NULL, NULL, NULL, NULL, NULL, 'op-2'),
                (gen_random_uuid(), $1, 1, now() - interval '1 minute', now(), 'retryable-error', 409, 'RetryLater', 'busy', 'op-1')`,
        [booking.id],
      );
      const res = await get(booking.id);
      expect(res.headers.etag).toBe('"2"');
      expect(res.body.attempts).toMatchObject([
        { number: 1, outcome: "retryable-error", httpStatus: 409, errorCode: "RetryLater", errorMessage: "busy", operationId: "op-1", finishedAt: expect.any(String) },
        { number: 2, outcome: null, finishedAt: null, operationId: "op-2" },
      ]);
      const cancel = await ctx.http.post(`/v1/bookings/${booking.id}/cancel`);
      expectContract(cancel);
      expect(cancel.status).toBe(409);
      expect(cancel.body.currentState).toBe("running");
      const patch = await ctx.http.patch(`/v1/bookings/${booking.id}`).set("if-match", '"2"').send({ note: "x" });
      expectContract(patch);
      expect(patch.body).toMatchObject({ code: "booking-not-scheduled", currentState: "running" });
    });
  });

  it("GET of an unknown booking is 404", async () => {
    const res = await get("7c9e6679-7425-40de-944b-e07fc1f90ae7");
    expect(res.status).toBe(404);
  });

  describe("list", () => {
    it("filters by state (repeatable), VM, subscription and start range, and pages by startAt", async () => {
      const all = await listAll(ctx.http, "/v1/bookings?limit=1000");
      const startAts = all.map((b) => b.startAt);
      expect(startAts).toEqual([...startAts].sort());
      const paged = await listAll(ctx.http, "/v1/bookings?limit=2");
      expect(paged.map((b) => b.id)).toEqual(all.map((b) => b.id));

      const cancelled = await listAll(ctx.http, "/v1/bookings?state=cancelled");
      expect(cancelled.length).toBeGreaterThan(0);
      expect(cancelled.every((b) => b.state === "cancelled")).toBe(true);
      const two = await listAll(ctx.http, "/v1/bookings?state=cancelled&state=running&limit=1");
      expect(two.map((b) => b.state).sort()).toEqual(all.filter((b) => ["cancelled", "running"].includes(b.state)).map((b) => b.state).sort());

      const forVm = await listAll(ctx.http, `/v1/bookings?virtualMachineId=${open[8].id}`);
      expect(forVm).toHaveLength(2);
      const sub = open[0].subscriptionId;
      const bySub = await listAll(ctx.http, `/v1/bookings?subscriptionId=${sub.toUpperCase()}`);
      const subVms = new Set(open.filter((v) => v.subscriptionId === sub).map((v) => v.id));
      expect(bySub.map((b) => b.id)).toEqual(all.filter((b) => subVms.has(b.virtualMachineId)).map((b) => b.id));

      const from = all[1].startAt;
      const to = all[3].startAt;
      const range = await listAll(ctx.http, `/v1/bookings?startFrom=${encodeURIComponent(from)}&startTo=${encodeURIComponent(to)}`);
      expect(range.map((b) => b.id)).toEqual(all.filter((b) => b.startAt >= from && b.startAt < to).map((b) => b.id));
    });
  });

  it("GET /v1/virtual-machines/{id} shows the active booking and the history, newest first", async () => {
    const res = await ctx.http.get(`/v1/virtual-machines/${open[8].id}`);
    expectContract(res);
    expect(res.body.bookings.map((b: any) => b.state)).toEqual(["scheduled", "cancelled"]);
    expect(res.body.activeBooking).toEqual(res.body.bookings[0]);
    const none = await ctx.http.get(`/v1/virtual-machines/${open[11].id}`);
    expectContract(none);
    expect(none.body).toMatchObject({ activeBooking: null, bookings: [] });
  });
  it("refuses to move a booking while the scheduler holds its lease (it is starting it at the old time)", async () => {
    const booking = (await create({ virtualMachineId: open[11].id, startAt: fromNow(3 * HOUR) })).body;
    await ctx.database.db.pool.query(
      "UPDATE bookings SET lease_owner = 'scheduler-x', lease_expires_at = now() + interval '1 minute', version = version + 1 WHERE id = $1",
      [booking.id],
    );
    const current = await get(booking.id);
    const res = await ctx.http.patch(`/v1/bookings/${booking.id}`).set("if-match", current.headers.etag).send({ startAt: fromNow(4 * HOUR) });
    expectContract(res);
    expect(res.status).toBe(412);
    expect((await get(booking.id)).body.startAt).toBe(booking.startAt);
  });
});

describe("booking rules", () => {
  let ctx: TestContext;
  const vms = vmFixtures(() => ctx);
  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet }, bookingPolicy: { minLeadSeconds: 600, endMarginSeconds: 3600 } });
  });
  afterAll(() => ctx?.close());

  const create = async (virtualMachineId: string, startAt: string) => {
    const res = await ctx.http.post("/v1/bookings").send({ virtualMachineId, startAt });
    expectContract(res);
    return res;
  };

  it("each violated rule has its own code, status and guidance, and writes nothing", async () => {
    const [window, closed, notAllowed, later, completed, none, gone] = await vms(7, (i) =>
      [
        selfServiceWindow(-DAY, 2 * DAY),
        selfServiceWindow(-10 * DAY, -3 * DAY), // the scheduled window ended too
        selfServiceWindow(-DAY, 2 * DAY, { isCustomerInitiatedMaintenanceAllowed: false }),
        selfServiceWindow(DAY, 5 * DAY, { isCustomerInitiatedMaintenanceAllowed: false }),
        selfServiceWindow(-DAY, 2 * DAY, { lastOperationResultCode: "MaintenanceCompleted" }),
        null,
        selfServiceWindow(-DAY, 2 * DAY),
      ][i],
    );
    ctx.sim.removeVm(gone.resourceId);
    await syncNow(ctx.http);
    const cases: [string, string, number, string][] = [
      ["7c9e6679-7425-40de-944b-e07fc1f90ae7", fromNow(HOUR), 422, "virtual-machine-unknown"],
      [gone.id, fromNow(HOUR), 422, "virtual-machine-gone"],
      [none.id, fromNow(HOUR), 422, "no-pending-maintenance"],
      [completed.id, fromNow(HOUR), 422, "no-pending-maintenance"],
      [closed.id, fromNow(HOUR), 422, "no-pending-maintenance"],
      [notAllowed.id, fromNow(HOUR), 422, "self-service-not-allowed"],
      [window.id, fromNow(3 * DAY), 422, "outside-self-service-window"],
      [window.id, fromNow(-HOUR), 422, "start-too-soon"],
      [window.id, fromNow(5 * MINUTE), 422, "start-too-soon"],
      [window.id, fromNow(2 * DAY - 30 * MINUTE), 422, "too-close-to-window-end"],
      [window.id, "2026-11-27T17:00:00", 400, "invalid-start-at"],
      [later.id, fromNow(12 * HOUR), 422, "outside-self-service-window"],
    ];
    for (const [vm, startAt, status, code] of cases) {
      const res = await create(vm, startAt);
      expect({ vm, startAt, status: res.status, code: res.body.code }).toEqual({ vm, startAt, status, code });
      expect(res.body.type).toBe(`/problems/${code}`);
      expect(res.body.detail.length).toBeGreaterThan(20);
    }
    const { rows } = await ctx.database.db.pool.query("SELECT count(*)::int AS n FROM bookings");
    expect(rows[0].n).toBe(0);
  });

  it("tells the caller the window bounds", async () => {
    const [vm] = await vms(1, () => selfServiceWindow(-DAY, 2 * DAY));
    const status = (await ctx.http.get(`/v1/virtual-machines/${vm.id}`)).body.maintenance;
    const res = await create(vm.id, fromNow(5 * MINUTE));
    expect(res.body.selfServiceWindow).toEqual(status.selfServiceWindow);
    expect(Date.parse(res.body.earliestStartAt) - Date.now()).toBeGreaterThan(9 * MINUTE);
    expect(res.body.latestStartAt).toBe(new Date(Date.parse(status.selfServiceWindow.end) - HOUR).toISOString());
    expect(res.body.detail).toContain(res.body.earliestStartAt);
    expect(res.body.detail).toContain(res.body.latestStartAt);
  });

  it("accepts the bounds themselves, and a window that opens later", async () => {
    const [a, b, later] = await vms(3, (i) => (i < 2 ? selfServiceWindow(-DAY, 2 * DAY) : selfServiceWindow(DAY, 5 * DAY, { isCustomerInitiatedMaintenanceAllowed: false })));
    const end = Date.parse((await ctx.http.get(`/v1/virtual-machines/${a.id}`)).body.maintenance.selfServiceWindow.end);
    expect((await create(a.id, new Date(end - HOUR).toISOString())).status).toBe(201);
    expect((await create(b.id, fromNow(10 * MINUTE + 5_000))).status).toBe(201);
    const start = Date.parse((await ctx.http.get(`/v1/virtual-machines/${later.id}`)).body.maintenance.selfServiceWindow.start);
    expect((await create(later.id, new Date(start).toISOString())).status).toBe(201);
  });
});
