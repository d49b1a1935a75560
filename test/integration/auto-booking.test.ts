// Automatic booking end to end: supertest → Fastify → services → real Postgres, VMs synced from the ARM simulator
// through the real SDK, a dispatcher performing what was booked (operations lasting a second, UPDATE_DOMAIN_GAP a
// second). Groups book into daily windows in Asia/Kolkata (+05:30) placed relative to the real clock, so bookings
// can run while the test waits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimMaintenance, SimVm } from "../../src/azure/simulator/index.js";
import { isoWithOffset } from "../../src/azure/simulator/index.js";
import { armKey } from "../../src/domain/arm-names.js";
import { startExecutionDispatcher, type ExecutionDispatchSettings } from "../../src/services/execution-dispatch.js";
import { refreshMembers } from "../../src/services/maintenance-groups.js";
import { requestSync } from "../../src/services/sync.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { expectContract } from "../helpers/openapi.js";
import { insertBookings, openMaintenance, seedMaintenance, waitForBookings } from "../helpers/scheduler.js";
import { gatewayFor } from "../helpers/simulator.js";

const OPERATION_MS = 1_000;
const GAP_MS = 1_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SETTINGS: ExecutionDispatchSettings = {
  dispatchIntervalMs: 100, leaseDurationMs: 10_000, misfireGraceSeconds: 3_600, maxAttempts: 3, retryBaseDelayMs: 50, retryMaxDelayMs: 200,
  planner: { updateDomainGapMs: GAP_MS, endMarginMs: 60_000 },
};
const ZONE = "Asia/Kolkata";

/** Kolkata's wall-clock "HH:mm" `offsetMs` from now (Kolkata has no daylight saving: +05:30 all year). */
const kolkataTime = (offsetMs: number) => new Date(Date.now() + offsetMs + 5.5 * HOUR).toISOString().slice(11, 16);

let ctx: TestContext;
let free: SimVm[];
const pool = () => ctx.database.db.pool;

async function call(method: "post" | "put" | "get", path: string, body?: object) {
  const res = await ctx.http[method](path).send(body);
  expectContract(res);
  return res;
}

async function sync(): Promise<void> {
  const run = await (await requestSync(ctx.sync, "api", undefined, { full: true })).finished;
  if (run.status !== "succeeded") throw new Error(`sync ${run.status}`);
}

/** Free VMs of one resource group, placed in availability set `set` with these update domains (synced later). */
function availabilitySet(set: string, updateDomains: number[]): SimVm[] {
  const inGroup = (rg: string) => free.filter((vm) => vm.resourceGroup === rg);
  const resourceGroup = free.map((vm) => vm.resourceGroup).find((rg) => inGroup(rg).length >= updateDomains.length)!;
  const vms = inGroup(resourceGroup).slice(0, updateDomains.length);
  free = free.filter((vm) => !vms.includes(vm));
  vms.forEach((vm, i) => ctx.sim.setPlacement(vm.resourceId, { availabilitySet: set, platformUpdateDomain: updateDomains[i] }));
  return vms;
}

interface Row { id: string; vm: string; start_at: Date; state: string; created_by: string; ud: number | null }

/** The bookings of these VMs, oldest first. */
async function bookingsOf(vms: SimVm[]): Promise<Row[]> {
  const { rows } = await pool().query<Row>(
    `SELECT b.id, v.id AS vm, b.start_at, b.state, b.created_by, v.platform_update_domain AS ud FROM bookings b JOIN virtual_machines v ON v.id = b.virtual_machine_id
     WHERE v.resource_id_key = ANY($1::text[]) ORDER BY b.created_at, b.start_at`,
    [vms.map((vm) => armKey(vm.resourceId))],
  );
  return rows;
}
const active = async (vms: SimVm[]) => (await bookingsOf(vms)).filter((b) => ["scheduled", "running"].includes(b.state));

async function occurrences(window: string) {
  const res = await call("get", `/v1/maintenance-windows/${window}/occurrences?from=${new Date(Date.now() - DAY).toISOString()}&to=${new Date(Date.now() + 5 * DAY).toISOString()}`);
  return (res.body.value as { start: string; end: string; localStart: string; localEnd: string }[]).map((o) => ({ ...o, s: Date.parse(o.start), e: Date.parse(o.end) }));
}

beforeAll(async () => {
  ctx = await createTestContext({
    simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 60, seed: 31 }, operationDurationMs: OPERATION_MS },
    updateDomainGapMs: GAP_MS, bookingPolicy: { minLeadSeconds: 1, endMarginSeconds: 60 },
  });
  free = ctx.sim.vms().filter((vm) => !vm.scaleSetName && !vm.availabilitySet);
  // Teach the planner the operation time (the median of recent operations): three plain bookings run first.
  const teachers = free.splice(0, 3);
  await seedMaintenance(ctx.sim, ctx.sync, teachers);
  const ids = await insertBookings(pool(), teachers, -1);
  const dispatcher = startExecutionDispatcher({ pool: pool(), gateway: gatewayFor(ctx.sim) }, SETTINGS);
  await waitForBookings(pool(), ids, 30_000);
  await dispatcher.stop();
}, 60_000);
afterAll(() => ctx?.close());

describe("auto-booking after a sync", () => {
  it("books every member inside an occurrence of a daily Asia/Kolkata window, one update domain at a time, and the bookings run", async () => {
    // Daily from a minute ago, Kolkata time, for two hours: open now.
    expect((await call("put", "/v1/maintenance-windows/kolkata-now", { timeZone: ZONE, rrule: "FREQ=DAILY", start: kolkataTime(-60_000), duration: "2h" })).status).toBe(201);
    const vms = availabilitySet("AVSET-AUTO", [0, 0, 1, 1, 2, 2]);
    for (const vm of vms) ctx.sim.setMaintenance(vm.resourceId, null);
    await sync(); // the VMs, no maintenance yet
    const put = await call("put", "/v1/maintenance-groups/auto-now", { selector: { availabilitySet: "AVSET-AUTO" }, policy: { maintenanceWindow: "kolkata-now", autoBook: true } });
    expect(put.body).toMatchObject({ members: 6, unplannable: [], policy: { autoBook: true, maintenanceWindow: "kolkata-now" } });
    expect(await bookingsOf(vms)).toEqual([]);

    await seedMaintenance(ctx.sim, ctx.sync, vms); // Azure announces the wave; the sync's last steps book it
    const rows = await bookingsOf(vms);
    expect(rows).toHaveLength(6);
    expect(rows.map((r) => [r.state, r.created_by])).toEqual(Array(6).fill(["scheduled", "system:auto-booking:auto-now"]));
    const { rows: [{ estimate }] } = await pool().query<{ estimate: number }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (finished_at - started_at)) * 1000) AS estimate FROM execution_attempts WHERE outcome = 'succeeded'`,
    );
    const occ = await occurrences("kolkata-now");
    for (const r of rows) expect(occ.some((o) => o.s <= r.start_at.getTime() && r.start_at.getTime() + estimate <= o.e)).toBe(true);
    // Update domains never share a slot: each domain's bookings start after the previous domain's end plus the gap.
    const byUd = [0, 1, 2].map((ud) => rows.filter((r) => r.ud === ud).map((r) => r.start_at.getTime()));
    for (const starts of byUd) expect(new Set(starts).size).toBe(1);
    for (let ud = 1; ud < 3; ud++) expect(byUd[ud][0] - byUd[ud - 1][0]).toBeGreaterThanOrEqual(estimate + GAP_MS - 1);
    // Audited and announced as any booking.
    const { rows: audit } = await pool().query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'booking.created' AND actor = 'system:auto-booking:auto-now'`);
    expect(audit[0].n).toBe(6);
    const { rows: events } = await pool().query(`SELECT count(*)::int AS n FROM outbox_events WHERE type = 'org.maintenance-planner.booking.created' AND subject = ANY($1::text[])`, [rows.map((r) => r.id)]);
    expect(events[0].n).toBe(6);

    const dispatcher = startExecutionDispatcher({ pool: pool(), gateway: gatewayFor(ctx.sim) }, SETTINGS);
    const done = await waitForBookings(pool(), rows.map((r) => r.id), 60_000);
    await dispatcher.stop();
    expect(done.map((r) => r.state)).toEqual(Array(6).fill("completed"));
    const keys = new Map(vms.map((vm, i) => [armKey(vm.resourceId), [0, 0, 1, 1, 2, 2][i]]));
    const ops = ctx.sim.operationLog().filter((op) => keys.has(armKey(op.resourceIds[0])));
    expect(ops).toHaveLength(6);
    for (const a of ops) for (const b of ops) {
      if (keys.get(armKey(a.resourceIds[0])) === keys.get(armKey(b.resourceIds[0]))) continue;
      expect(Date.parse(a.endsAt) <= Date.parse(b.startedAt) || Date.parse(b.endsAt) <= Date.parse(a.startedAt)).toBe(true);
    }
  }, 90_000);
});

describe("auto-booking again", () => {
  let vms: SimVm[];
  beforeAll(async () => {
    // Daily from three hours from now, Kolkata time, for two hours: the bookings stay scheduled.
    await call("put", "/v1/maintenance-windows/kolkata-later", { timeZone: ZONE, rrule: "FREQ=DAILY", start: kolkataTime(3 * HOUR), duration: "2h" });
    vms = availabilitySet("AVSET-LATER", [0, 0, 0]);
    await seedMaintenance(ctx.sim, ctx.sync, vms);
    await call("put", "/v1/maintenance-groups/later", { selector: { availabilitySet: "AVSET-LATER" }, policy: { maintenanceWindow: "kolkata-later", autoBook: true } });
  });

  it("re-books, in the blackout's own request, the auto bookings a new blackout covers", async () => {
    const before = await active(vms);
    expect(before).toHaveLength(3);
    const first = (await occurrences("kolkata-later")).find((o) => o.s === before[0].start_at.getTime())!;
    expect(first).toBeDefined();
    const res = await call("put", "/v1/blackouts/tonight", { timeZone: ZONE, ranges: [{ start: first.localStart.slice(0, 16), end: first.localEnd.slice(0, 16) }] });
    expect(res.status).toBe(201);
    const all = await bookingsOf(vms);
    expect(all.filter((b) => before.some((x) => x.id === b.id)).map((b) => b.state)).toEqual(Array(3).fill("invalidated"));
    const after = await active(vms);
    expect(after).toHaveLength(3);
    expect(after.map((b) => [b.created_by, b.start_at.getTime()])).toEqual(Array(3).fill(["system:auto-booking:later", first.s + DAY]));
  });

  it("re-books a booking invalidated because Azure moved the window, into the new window", async () => {
    const [vm] = vms;
    const [old] = await active([vm]);
    const moved: SimMaintenance = { ...openMaintenance(), preMaintenanceWindowStartTime: isoWithOffset(Date.now() + 2 * DAY, 0) };
    await seedMaintenance(ctx.sim, ctx.sync, [vm], moved);
    const rows = await bookingsOf([vm]);
    expect(rows.find((r) => r.id === old.id)!.state).toBe("invalidated");
    const [rebooked] = await active([vm]);
    expect(rebooked.created_by).toBe("system:auto-booking:later");
    expect(rebooked.start_at.getTime()).toBeGreaterThanOrEqual(Date.parse(moved.preMaintenanceWindowStartTime!));
    const occ = await occurrences("kolkata-later");
    expect(occ.some((o) => o.s <= rebooked.start_at.getTime() && rebooked.start_at.getTime() < o.e)).toBe(true);
  });

  it("does not make again a booking a user cancelled, for the same self-service window", async () => {
    const vm = vms[1];
    const [booking] = await active([vm]);
    expect((await call("post", `/v1/bookings/${booking.id}/cancel`)).status).toBe(200);
    await sync();
    expect(await active([vm])).toEqual([]);
    expect(await active([vms[2]])).toHaveLength(1); // the others keep theirs, and are not booked twice
  });
});

describe("plan preview", () => {
  it("shows what auto-booking would book now, projected, and writes nothing", async () => {
    const vms = availabilitySet("AVSET-PREVIEW", [0, 1]);
    await seedMaintenance(ctx.sim, ctx.sync, vms);
    // A group written straight into the table (not through PUT, which would book at once): auto-booking has not run for it.
    await pool().query(`INSERT INTO maintenance_groups (name, selector, policy, created_by) VALUES ('preview-only', '{"availabilitySet": "AVSET-PREVIEW"}', '{"autoBook": true, "maintenanceWindow": "kolkata-later"}', 'test')`);
    await refreshMembers(pool(), ["preview-only"]);
    const { rows: ids } = await pool().query<{ id: string; ud: number }>(`SELECT id, platform_update_domain AS ud FROM virtual_machines WHERE availability_set = 'AVSET-PREVIEW' ORDER BY ud`);

    const { body } = await call("post", "/v1/plan-previews", {});
    const items = ids.map((vm) => body.value.find((p: { virtualMachineId: string }) => p.virtualMachineId === vm.id));
    expect(items).toEqual(ids.map((vm) => expect.objectContaining({ virtualMachineId: vm.id, bookingId: null, autoBookGroup: "preview-only", missesDeadline: false })));
    const later = (await occurrences("kolkata-later")).map((o) => o.s);
    expect(later).toContain(Date.parse(items[0].startAt));
    const apart = Date.parse(items[1].startAt) - Date.parse(items[0].projectedEndAt);
    expect(apart).toBeGreaterThanOrEqual(GAP_MS - 1);
    expect(await bookingsOf(vms)).toEqual([]);
  });
});

describe("unplannable", () => {
  it("lists a member whose deadline comes before any occurrence, and raises deadline.approaching once", async () => {
    const [vm] = availabilitySet("AVSET-TIGHT", [0]);
    await seedMaintenance(ctx.sim, ctx.sync, [vm], openMaintenance(HOUR)); // its self-service window ends in an hour
    const put = await call("put", "/v1/maintenance-groups/tight", { selector: { availabilitySet: "AVSET-TIGHT" }, policy: { maintenanceWindow: "kolkata-later", autoBook: true } });
    const { rows: [{ id }] } = await pool().query<{ id: string }>(`SELECT id FROM virtual_machines WHERE resource_id_key = $1`, [armKey(vm.resourceId)]);
    expect(put.body.unplannable).toEqual([{ virtualMachineId: id, reason: expect.stringContaining("No occurrence of maintenance window kolkata-later"), deadline: expect.any(String) }]);
    await sync();
    expect((await call("get", "/v1/maintenance-groups/tight")).body.unplannable).toHaveLength(1);
    expect(await active([vm])).toEqual([]);
    const { rows: events } = await pool().query(
      `SELECT data FROM outbox_events WHERE type = 'org.maintenance-planner.deadline.approaching' AND subject = $1 AND data->>'threshold' = 'unplannable'`, [id],
    );
    expect(events).toHaveLength(1);
    expect(events[0].data.reason).toContain("kolkata-later");

    const preview = await call("post", "/v1/plan-previews", {});
    expect(preview.body.unplannable).toContainEqual(expect.objectContaining({ virtualMachineId: id, groups: ["tight"] }));
  });

  it("a maintenance window a group books into cannot be deleted, nor a group name a missing one", async () => {
    expect((await call("put", "/v1/maintenance-groups/nowhere", { selector: {}, policy: { maintenanceWindow: "no-such-window", autoBook: true } })).body).toMatchObject({
      status: 422, code: "maintenance-window-unknown",
    });
    expect((await ctx.http.delete("/v1/maintenance-windows/kolkata-later")).body).toMatchObject({ status: 409, code: "maintenance-window-in-use" });
  });
});
