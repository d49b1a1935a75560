// Every change that matters becomes an event in the outbox, in the transaction of the change: bookings through the
// one writer (API, re-check, scheduler), windows through the sync's change rules, failed syncs. Real Postgres,
// the API through supertest, the dispatcher in-process against the simulator.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "../../src/services/dispatcher.js";
import { startExecutionDispatcher } from "../../src/services/execution-dispatch.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { DAY, HOUR, fromNow, selfServiceWindow, vmFixtures } from "../helpers/bookings.js";
import { waitForBookings } from "../helpers/scheduler.js";
import { gatewayFor } from "../helpers/simulator.js";
import { syncNow } from "../helpers/sync.js";

const PREFIX = "org.maintenance-planner.";

describe("events in the outbox", () => {
  let ctx: TestContext;
  let dispatcher: Dispatcher | null = null;
  const vms = vmFixtures(() => ctx);
  const pool = () => ctx.database.db.pool;
  const eventsOf = async (subject: string) =>
    (await pool().query(`SELECT type, sequence, time, data FROM outbox_events WHERE subject = $1 ORDER BY sequence`, [subject])).rows.map((r) => ({
      ...r, type: (r.type as string).slice(PREFIX.length), sequence: Number(r.sequence),
    }));
  const book = async (virtualMachineId: string, startAt = fromNow(HOUR)) => {
    const res = await ctx.http.post("/v1/bookings").send({ virtualMachineId, startAt });
    expect(res.status).toBe(201);
    return res;
  };

  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 12, seed: 17 } }, bookingPolicy: { minLeadSeconds: 0, endMarginSeconds: 0 } });
  });
  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = null;
  });
  afterAll(() => ctx?.close());

  it("a booking run to completion: booking.created, booking.started, booking.completed, numbered and timed in order", async () => {
    const [vm] = await vms(1, () => selfServiceWindow(-DAY, 5 * DAY));
    const { body: booking } = await book(vm.id, fromNow(1_000));
    dispatcher = startExecutionDispatcher(
      { pool: pool(), gateway: gatewayFor(ctx.sim, { retry: { maxRetries: 0 } }) },
      { dispatchIntervalMs: 50, leaseDurationMs: 5_000, misfireGraceSeconds: 3_600, maxAttempts: 3, retryBaseDelayMs: 50, retryMaxDelayMs: 200 },
    );
    expect((await waitForBookings(pool(), [booking.id]))[0].state).toBe("completed");
    const events = await eventsOf(booking.id);
    expect(events.map((e) => [e.type, e.sequence])).toEqual([["booking.created", 1], ["booking.started", 2], ["booking.completed", 3]]);
    expect(events[0].time.getTime()).toBeLessThan(events[1].time.getTime());
    expect(events[1].time.getTime()).toBeLessThan(events[2].time.getTime());
    expect(events.map((e) => e.data.booking.state)).toEqual(["scheduled", "running", "completed"]);
    expect(events[2].data.changes.state).toEqual({ from: "running", to: "completed" });
    expect(events[2].data.booking.attempts).toMatchObject([{ number: 1, outcome: "succeeded" }]);
  });

  it("moves and cancellations are events; a note change is not", async () => {
    const [vm] = await vms(1, () => selfServiceWindow(-DAY, 5 * DAY));
    const created = await book(vm.id);
    const id = created.body.id;
    const moved = await ctx.http.patch(`/v1/bookings/${id}`).set("if-match", created.headers.etag).send({ startAt: fromNow(2 * HOUR) });
    const noted = await ctx.http.patch(`/v1/bookings/${id}`).set("if-match", moved.headers.etag).send({ note: "on call: team A" });
    expect(noted.status).toBe(200);
    await ctx.http.post(`/v1/bookings/${id}/cancel`);
    const events = await eventsOf(id);
    expect(events.map((e) => e.type)).toEqual(["booking.created", "booking.rescheduled", "booking.cancelled"]);
    expect(events[1].data.changes.startAt).toEqual({ from: created.body.startAt, to: moved.body.startAt });
    expect(events[2].data.booking).toMatchObject({ state: "cancelled", note: "on call: team A" });
  });

  it("the sync's window changes and the re-check's decisions are events too", async () => {
    const [vm] = await vms(1, () => selfServiceWindow(-DAY, 5 * DAY));
    const { body: booking } = await book(vm.id);
    ctx.sim.setMaintenance(vm.resourceId, selfServiceWindow(2 * DAY, 8 * DAY)); // moves away from the booking
    await syncNow(ctx.http);
    ctx.sim.setMaintenance(vm.resourceId, null);
    await syncNow(ctx.http);
    // The fixture's own syncs came first (the VM's window appeared, and moved if the seeded fleet had given it one).
    const windows = await eventsOf(vm.id);
    expect(windows[0].type).toBe("window.appeared");
    expect(windows.slice(-2).map((e) => e.type)).toEqual(["window.moved", "window.cleared"]);
    const [moved, cleared] = windows.slice(-2);
    expect(moved.data).toMatchObject({ change: "moved", virtualMachine: { id: vm.id }, previous: { selfServiceWindow: expect.any(Object) } });
    expect(cleared.data.virtualMachine.maintenance).toBeNull();
    expect(windows.map((e) => e.sequence)).toEqual(windows.map((_, i) => i + 1));
    await expect.poll(async () => (await eventsOf(booking.id)).map((e) => e.type)).toEqual(["booking.created", "booking.invalidated"]);
  });

  it("a sync that could not read everything is a sync.failed event", async () => {
    ctx.sim.injectFault({ operation: "listVirtualMachines", status: 403, code: "AuthorizationFailed", times: 1 });
    const run = await syncNow(ctx.http);
    expect(run.status).toBe("failed");
    expect(await eventsOf(run.id)).toMatchObject([{ type: "sync.failed", sequence: 1, data: { syncRun: { id: run.id, status: "failed" } } }]);
  });
});
