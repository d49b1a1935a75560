// Blackouts enforced on bookings, end to end: supertest → Fastify → services → real Postgres, VMs synced from the
// simulator. Creating or moving a booking into a blackout that applies to the VM is refused with 409 `blackout`
// (its name and the next allowed time); writing a blackout over scheduled bookings invalidates exactly the ones it
// covers, audited and announced, and nothing brings them back. The clock (app and simulator) stands in March
// 2027, a week before Europe/Berlin's spring change, so blackouts in local time cross it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimMaintenance } from "../../src/azure/simulator/index.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { vmFixtures, type FixtureVm } from "../helpers/bookings.js";
import { expectContract } from "../helpers/openapi.js";
import { syncNow } from "../helpers/sync.js";
import { until } from "../helpers/until.js";

const NOW = new Date("2027-03-20T12:00:00Z");
const fleet = { subscriptions: 1, vmsPerSubscription: 24, scaleSetsPerSubscription: 0, seed: 13 };
const WINDOW: SimMaintenance = {
  isCustomerInitiatedMaintenanceAllowed: true,
  preMaintenanceWindowStartTime: "2027-03-15T00:00:00Z",
  preMaintenanceWindowEndTime: "2027-04-15T00:00:00Z",
  maintenanceWindowStartTime: "2027-04-16T00:00:00Z",
  maintenanceWindowEndTime: "2027-04-16T08:00:00Z",
  lastOperationResultCode: "None",
};
const PREFIX = "org.maintenance-planner.";

let ctx: TestContext;
const vms = vmFixtures(() => ctx);
beforeAll(async () => {
  ctx = await createTestContext({ simulator: { fleet, now: () => NOW }, clock: () => NOW });
});
afterAll(() => ctx?.close());

async function call(method: "post" | "put" | "patch" | "get" | "delete", path: string, body?: object, headers: Record<string, string> = {}) {
  const res = await ctx.http[method](path).set(headers).send(body);
  expectContract(res);
  return res;
}
const book = (vm: FixtureVm, startAt: string) => call("post", "/v1/bookings", { virtualMachineId: vm.id, startAt });
const booked = async (vm: FixtureVm, startAt: string) => {
  const res = await book(vm, startAt);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Record<string, any>;
};
const putBlackout = (name: string, body: object) => call("put", `/v1/blackouts/${name}`, body);
const state = async (id: string) => (await call("get", `/v1/bookings/${id}`)).body;
const resourceGroupOf = (vm: FixtureVm) => ctx.sim.vms().find((v) => v.resourceId === vm.resourceId)!.resourceGroup;

describe("booking into a blackout", () => {
  let vm: FixtureVm;
  beforeAll(async () => {
    [vm] = await vms(1, () => WINDOW);
    // 22:00 on the 27th (+01:00) to 04:00 on the 28th (+02:00): 5 hours, 21:00Z–02:00Z, across the spring change.
    expect((await putBlackout("spring-freeze", { timeZone: "Europe/Berlin", ranges: [{ start: "2027-03-27T22:00", end: "2027-03-28T04:00" }] })).status).toBe(201);
    // Sundays 04:00–06:00 local: right after the freeze, so the VM is free only from 04:00Z.
    expect((await putBlackout("sunday-backup", { timeZone: "Europe/Berlin", rrule: "FREQ=WEEKLY;BYDAY=SU", start: "04:00", duration: "2h" })).status).toBe(201);
  });

  it("is refused with 409 `blackout`, naming it and the next allowed time across the adjacent blackout (Europe/Berlin, spring change)", async () => {
    const res = await book(vm, "2027-03-28T02:30:00+01:00");
    expect(res.status).toBe(409);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.body).toMatchObject({
      type: "/problems/blackout", code: "blackout", blackout: "spring-freeze", nextAllowedAt: "2027-03-28T04:00:00.000Z",
      selfServiceWindow: { start: "2027-03-15T00:00:00.000Z", end: "2027-04-15T00:00:00.000Z" },
      earliestStartAt: "2027-03-20T12:05:00.000Z", latestStartAt: "2027-04-14T23:30:00.000Z",
    });
    expect(res.body.detail).toContain('blackout "spring-freeze"');
    expect(res.body.detail).toContain("2027-03-28T04:00:00.000Z");
  });

  it("the blackout's edges are its local times on either side of the change; the next allowed time is bookable", async () => {
    const first = await book(vm, "2027-03-27T21:00:00Z");
    expect([first.body.code, first.body.blackout]).toEqual(["blackout", "spring-freeze"]);
    const inBackup = await book(vm, "2027-03-28T02:00:00Z"); // 04:00 CEST: the freeze is over (not 03:00Z, as +01:00 would say)
    expect([inBackup.body.code, inBackup.body.blackout, inBackup.body.nextAllowedAt]).toEqual(["blackout", "sunday-backup", "2027-03-28T04:00:00.000Z"]);
    const booking = await booked(vm, "2027-03-28T04:00:00Z");
    expect(booking.state).toBe("scheduled");
    await call("post", `/v1/bookings/${booking.id}/cancel`, undefined, { "if-match": '"1"' });
    expect((await booked(vm, "2027-03-27T20:59:59Z")).state).toBe("scheduled");
  });

  it("a blackout whose selector does not pick a VM leaves it bookable", async () => {
    const fixtures = await vms(6, () => WINDOW);
    const picked = fixtures[0];
    const other = fixtures.find((f) => resourceGroupOf(f).toLowerCase() !== resourceGroupOf(picked).toLowerCase());
    expect(other, "the fleet's seed puts these VMs in more than one resource group").toBeDefined();
    const selector = { resourceGroup: resourceGroupOf(picked).toUpperCase() }; // ARM names compare case-insensitively
    expect((await putBlackout("rg-freeze", { timeZone: "UTC", ranges: [{ start: "2027-03-22T00:00", end: "2027-03-23T00:00" }], selector })).status).toBe(201);
    const refused = await book(picked, "2027-03-22T06:00:00Z");
    expect([refused.status, refused.body.blackout, refused.body.nextAllowedAt]).toEqual([409, "rg-freeze", "2027-03-23T00:00:00.000Z"]);
    expect((await booked(other!, "2027-03-22T06:00:00Z")).state).toBe("scheduled");
  });

  it("PATCH into a blackout is refused and changes nothing", async () => {
    const [moving] = await vms(1, () => WINDOW);
    const booking = await booked(moving, "2027-03-24T06:00:00Z");
    const res = await call("patch", `/v1/bookings/${booking.id}`, { startAt: "2027-03-28T01:00:00Z", note: "moved" }, { "if-match": '"1"' });
    expect([res.status, res.body.code, res.body.blackout, res.body.nextAllowedAt]).toEqual([409, "blackout", "spring-freeze", "2027-03-28T04:00:00.000Z"]);
    const after = await call("get", `/v1/bookings/${booking.id}`);
    expect([after.headers.etag, after.body.startAt, after.body.note]).toEqual(['"1"', "2027-03-24T06:00:00.000Z", null]);
    const moved = await call("patch", `/v1/bookings/${booking.id}`, { startAt: "2027-03-28T04:00:00Z" }, { "if-match": '"1"' });
    expect(moved.status).toBe(200);
  });
});

describe("a blackout written over scheduled bookings", () => {
  // 2027-03-30 08:00–14:00 and 2027-04-02 08:00–14:00 in Berlin (+02:00): 06:00Z–12:00Z.
  const RELEASE = { timeZone: "Europe/Berlin", ranges: [{ start: "2027-03-30T08:00", end: "2027-03-30T14:00" }, { start: "2027-04-02T08:00", end: "2027-04-02T14:00" }] };
  let bookings: Record<string, Record<string, any>>;
  let fixtures: FixtureVm[];
  let put: Record<string, any>;
  beforeAll(async () => {
    fixtures = await vms(4, () => WINDOW);
    const [inside, atEnd, atStart, otherDay] = fixtures;
    bookings = {
      inside: await booked(inside, "2027-03-30T10:00:00Z"),
      atEnd: await booked(atEnd, "2027-03-30T12:00:00Z"),
      atStart: await booked(atStart, "2027-04-02T06:00:00Z"),
      otherDay: await booked(otherDay, "2027-04-01T10:00:00Z"),
    };
    put = await putBlackout("release-freeze", RELEASE);
    expect(put.status).toBe(201);
  });
  const eventsOf = async (subject: string) =>
    (await ctx.database.db.pool.query(`SELECT type, data FROM outbox_events WHERE subject = $1 ORDER BY sequence`, [subject])).rows.map((r) => ({ ...r, type: (r.type as string).slice(PREFIX.length) }));

  it("invalidates exactly those it covers, naming it and when maintenance may start again; the others stay scheduled", async () => {
    const inside = await state(bookings.inside.id);
    expect(inside).toMatchObject({ state: "invalidated", stateReason: expect.stringContaining('Blackout "release-freeze" covers startAt 2027-03-30T10:00:00.000Z') });
    expect(inside.stateReason).toContain("may start again from 2027-03-30T12:00:00.000Z");
    expect((await state(bookings.atStart.id)).state).toBe("invalidated");
    expect((await state(bookings.atEnd.id)).state).toBe("scheduled");
    expect((await state(bookings.otherDay.id)).state).toBe("scheduled");
  });

  it("each invalidation is audited as the blackout's writer, in its request, and announced as booking.invalidated", async () => {
    const [written] = (await call("get", "/v1/audit-events?targetId=release-freeze")).body.value;
    expect(written).toMatchObject({ action: "blackout.created", requestId: put.headers["x-request-id"] });
    const [audit] = (await call("get", `/v1/audit-events?targetId=${bookings.inside.id}`)).body.value;
    expect(audit).toMatchObject({
      action: "booking.invalidated", actor: written.actor, requestId: written.requestId, targetType: "booking",
      before: { state: "scheduled" }, after: { state: "invalidated", blackout: "release-freeze" },
    });
    const events = await eventsOf(bookings.inside.id);
    expect(events.map((e) => e.type)).toEqual(["booking.created", "booking.invalidated"]);
    expect(events[1].data).toMatchObject({ booking: { state: "invalidated" }, changes: { state: { from: "scheduled", to: "invalidated" } } });
    expect((await eventsOf(bookings.atEnd.id)).map((e) => e.type)).toEqual(["booking.created"]);
  });

  it("the VM can be booked again outside it; replacing it with a narrower one, or deleting it, brings nothing back", async () => {
    const again = await booked(fixtures[0], "2027-03-30T12:00:00Z");
    const narrower = await putBlackout("release-freeze", { ...RELEASE, ranges: [{ start: "2027-03-30T08:00", end: "2027-03-30T09:00" }] });
    expect(narrower.status).toBe(200);
    expect(await call("delete", "/v1/blackouts/release-freeze").then((r) => r.status)).toBe(204);
    for (const key of ["inside", "atStart"]) {
      const res = await call("get", `/v1/bookings/${bookings[key].id}`);
      expect([res.body.state, res.headers.etag]).toEqual(["invalidated", '"2"']);
    }
    for (const id of [again.id, bookings.atEnd.id, bookings.otherDay.id]) expect((await state(id)).state).toBe("scheduled");
  });

  it("a wider replacement invalidates what it newly covers, on the VMs its selector picks", async () => {
    const [vm] = await vms(1, () => WINDOW);
    const b = await booked(vm, "2027-04-05T10:00:00Z");
    const rg = resourceGroupOf(vm);
    expect((await putBlackout("widening", { timeZone: "UTC", ranges: [{ start: "2027-04-05T00:00", end: "2027-04-05T09:00" }] })).status).toBe(201);
    expect((await state(b.id)).state).toBe("scheduled");
    const elsewhere = await putBlackout("widening", { timeZone: "UTC", ranges: [{ start: "2027-04-05T00:00", end: "2027-04-06T00:00" }], selector: { resourceGroup: `${rg}-not` } });
    expect(elsewhere.status).toBe(200);
    expect((await state(b.id)).state).toBe("scheduled");
    expect((await putBlackout("widening", { timeZone: "UTC", ranges: [{ start: "2027-04-05T00:00", end: "2027-04-06T00:00" }], selector: { resourceGroup: rg } })).status).toBe(200);
    expect(await state(b.id)).toMatchObject({ state: "invalidated", stateReason: expect.stringContaining('"widening"') });
  });
});

describe("a VM that comes under a blackout's selector after it was booked", () => {
  it("has its scheduled booking invalidated by the next sync's re-check, naming the blackout; the others stay", async () => {
    const [tagged, untouched] = await vms(2, () => WINDOW);
    const moved = await booked(tagged, "2027-04-09T10:00:00Z");
    const kept = await booked(untouched, "2027-04-09T10:00:00Z");
    const freeze = { timeZone: "UTC", ranges: [{ start: "2027-04-09T00:00", end: "2027-04-10T00:00" }], selector: { tags: { freeze: "payments" } } };
    expect((await putBlackout("payments-freeze", freeze)).status).toBe(201);
    expect((await state(moved.id)).state).toBe("scheduled"); // not picked yet
    const sim = ctx.sim.vms().find((v) => v.resourceId === tagged.resourceId)!;
    ctx.sim.setTags(tagged.resourceId, { ...sim.tags, freeze: "payments" });
    await syncNow(ctx.http);
    // The re-check runs after the sync run is recorded as finished.
    await until("the post-sync re-check", async () => (await state(moved.id)).state !== "scheduled", 10_000, 50);
    expect(await state(moved.id)).toMatchObject({ state: "invalidated", stateReason: expect.stringContaining('Blackout "payments-freeze" covers startAt 2027-04-09T10:00:00.000Z') });
    expect((await state(kept.id)).state).toBe("scheduled");
    const [audit] = (await call("get", `/v1/audit-events?targetId=${moved.id}`)).body.value;
    expect(audit).toMatchObject({ action: "booking.invalidated", actor: "system:sync" });
  });
});

describe("a booking and a blackout written at once", () => {
  it("never leave a scheduled booking in the blackout: the booking is refused or invalidated", async () => {
    const [vm] = await vms(1, () => WINDOW);
    for (let hour = 0; hour < 12; hour++) {
      const at = `2027-04-07T${String(hour).padStart(2, "0")}:30:00Z`;
      const range = { start: `2027-04-07T${String(hour).padStart(2, "0")}:00`, end: `2027-04-07T${String(hour + 1).padStart(2, "0")}:00` };
      const [res] = await Promise.all([book(vm, at), putBlackout("race", { timeZone: "UTC", ranges: [range] })]);
      if (res.status === 201) expect((await state(res.body.id)).state, `booking at ${at}`).toBe("invalidated");
      else expect([res.status, res.body.code], `booking at ${at}`).toEqual([409, "blackout"]);
    }
  });
});
