// After every sync, scheduled bookings are checked against the VM's new facts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { DAY, HOUR, fromNow, selfServiceWindow, vmFixtures, waitForBooking } from "../helpers/bookings.js";
import { expectContract } from "../helpers/openapi.js";
import { syncNow } from "../helpers/sync.js";

describe("post-sync re-check of scheduled bookings", () => {
  let ctx: TestContext;
  const vms = vmFixtures(() => ctx);
  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 20, seed: 5 } } });
  });
  afterAll(() => ctx?.close());

  const book = async (virtualMachineId: string, startAt: string) => {
    const res = await ctx.http.post("/v1/bookings").send({ virtualMachineId, startAt });
    expectContract(res);
    expect(res.status).toBe(201);
    return res.body;
  };

  it("invalidates a booking whose window moved away, ends not-needed ones, and leaves the rest", async () => {
    const [moved, stays, cleared, completed, gone, movedButInside, cancelled] = await vms(7, () => selfServiceWindow(-DAY, 5 * DAY));
    const startAt = fromNow(2 * DAY);
    const b = {
      moved: await book(moved.id, startAt),
      stays: await book(stays.id, startAt),
      cleared: await book(cleared.id, startAt),
      completed: await book(completed.id, startAt),
      gone: await book(gone.id, startAt),
      movedButInside: await book(movedButInside.id, startAt),
      cancelled: await book(cancelled.id, startAt),
    };
    await ctx.http.post(`/v1/bookings/${b.cancelled.id}/cancel`);

    const newWindow = selfServiceWindow(3 * DAY, 9 * DAY);
    ctx.sim.setMaintenance(moved.resourceId, newWindow);
    ctx.sim.setMaintenance(movedButInside.resourceId, selfServiceWindow(-2 * DAY, 4 * DAY));
    ctx.sim.setMaintenance(cleared.resourceId, null);
    ctx.sim.setMaintenance(completed.resourceId, selfServiceWindow(-DAY, 5 * DAY, { lastOperationResultCode: "MaintenanceCompleted" }));
    ctx.sim.setMaintenance(cancelled.resourceId, null);
    ctx.sim.removeVm(gone.resourceId);
    await syncNow(ctx.http);

    const invalidated = await waitForBooking(ctx, b.moved.id, (x) => x.state !== "scheduled");
    expect(invalidated.state).toBe("invalidated");
    const vm = (await ctx.http.get(`/v1/virtual-machines/${moved.id}`)).body;
    expect(invalidated.stateReason).toContain(vm.maintenance.selfServiceWindow.start);
    expect(invalidated.stateReason).toContain(vm.maintenance.selfServiceWindow.end);
    // The new window is in the booking itself, structured, for portals to offer a new time.
    expect(invalidated.selfServiceWindow).toEqual(vm.maintenance.selfServiceWindow);
    expect(vm.bookings[0].selfServiceWindow).toEqual(vm.maintenance.selfServiceWindow);
    expect(vm.activeBooking).toBeNull();
    expect(vm.bookings[0]).toMatchObject({ id: b.moved.id, state: "invalidated" });

    const get = async (id: string) => {
      const res = await ctx.http.get(`/v1/bookings/${id}`);
      expectContract(res);
      return res;
    };
    expect((await get(b.cleared.id)).body).toMatchObject({ state: "not-needed", stateReason: expect.stringContaining("no longer plans") });
    expect((await get(b.completed.id)).body).toMatchObject({ state: "not-needed", stateReason: expect.stringContaining("completed") });
    expect((await get(b.gone.id)).body).toMatchObject({ state: "not-needed", stateReason: expect.stringContaining("no longer listed") });
    expect((await get(b.stays.id)).body.state).toBe("scheduled");
    const inside = await get(b.movedButInside.id);
    expect(inside.body.state).toBe("scheduled");
    expect(inside.headers.etag).toBe('"1"');
    // Final states never change.
    expect((await get(b.cancelled.id)).body).toMatchObject({ state: "cancelled", stateReason: "Cancelled by anonymous." });
    // The ETag moved with the change, so a PATCH based on the old one is refused.
    const patch = await ctx.http.patch(`/v1/bookings/${b.moved.id}`).set("if-match", '"1"').send({ startAt: fromNow(4 * DAY) });
    expectContract(patch);
    expect(patch.status).toBe(412);

    // The VM can be booked again inside its new window.
    expect((await ctx.http.post("/v1/bookings").send({ virtualMachineId: moved.id, startAt: fromNow(4 * DAY) })).status).toBe(201);
  });

  it("a booking running meanwhile is left to the scheduler", async () => {
    const [vm] = await vms(1, () => selfServiceWindow(-DAY, 5 * DAY));
    const booking = await book(vm.id, fromNow(3 * HOUR));
    await ctx.database.db.pool.query(`UPDATE bookings SET state = 'running' WHERE id = $1`, [booking.id]);
    ctx.sim.setMaintenance(vm.resourceId, null);
    await syncNow(ctx.http);
    await syncNow(ctx.http); // the first run's re-check has finished once the second run could start
    expect((await ctx.http.get(`/v1/bookings/${booking.id}`)).body.state).toBe("running");
  });
});
