// deadline.approaching: once per threshold per self-service window, for unbooked VMs whose maintenance is known,
// after every sync and whenever the check runs; checked against the domain's isUnbooked on the same data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUnbooked, parseDeadlineWarnings, type DeadlineWarning } from "../../src/domain/deadlines.js";
import { announceDeadlines } from "../../src/services/deadline-alerts.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { DAY, HOUR, fromNow, selfServiceWindow, vmFixtures, type FixtureVm } from "../helpers/bookings.js";
import { statusOf } from "../helpers/maintenance.js";
import { listAll, syncNow } from "../helpers/sync.js";
import { until } from "../helpers/until.js";

const TYPE = "org.maintenance-planner.deadline.approaching";
const WARNINGS = parseDeadlineWarnings("7d,2d,12h") as DeadlineWarning[];

describe("deadline alerts", () => {
  let ctx: TestContext;
  let a: FixtureVm, booked: FixtureVm, unknown: FixtureVm, soon: FixtureVm, upcoming: FixtureVm, completed: FixtureVm, far: FixtureVm;
  const later = (ms: number) => new Date(Date.now() + ms);
  const events = async (subject?: string) =>
    (await ctx.database.db.pool.query(`SELECT * FROM outbox_events WHERE type = $1 AND ($2::text IS NULL OR subject = $2) ORDER BY sequence`, [TYPE, subject ?? null])).rows;
  const announce = (at: Date) => announceDeadlines(ctx.database.db.pool, WARNINGS, at);

  beforeAll(async () => {
    ctx = await createTestContext();
    const vms = vmFixtures(() => ctx);
    // `soon` is within 2d of its deadline already: the fixtures' own sync announces it.
    const windows = [
      selfServiceWindow(-DAY, 10 * DAY), selfServiceWindow(-DAY, 10 * DAY), selfServiceWindow(-DAY, 10 * DAY), selfServiceWindow(-DAY, 36 * HOUR),
      selfServiceWindow(2 * DAY, 10 * DAY, { isCustomerInitiatedMaintenanceAllowed: false }),
      selfServiceWindow(-DAY, 10 * DAY, { lastOperationResultCode: "MaintenanceCompleted" }),
      selfServiceWindow(-DAY, 20 * DAY),
    ];
    [a, booked, unknown, soon, upcoming, completed, far] = await vms(windows.length, (i) => windows[i]);
    const res = await ctx.http.post("/v1/bookings").send({ virtualMachineId: booked.id, startAt: fromNow(HOUR) });
    expect(res.status).toBe(201);
    // A VM whose instance view was never read has unknown maintenance, whatever row it still has: never warned.
    await ctx.database.db.pool.query(`UPDATE virtual_machines SET maintenance_read_at = NULL WHERE id = $1`, [unknown.id]);
  });
  afterAll(() => ctx?.close());

  it("announces after a sync the tightest threshold crossed, with the VM as the API shows it", async () => {
    const deadline = Date.now() + 36 * HOUR;
    const [event] = await until("deadline.approaching after the sync", async () => {
      const rows = await events(soon.id);
      return rows.length > 0 && rows;
    }, 10_000, 25);
    const vm = (await listAll(ctx.http, "/v1/virtual-machines?limit=1000")).find((v) => v.id === soon.id)!;
    expect(event).toMatchObject({ source: "/v1/virtual-machines", subject: soon.id, subscription_id: vm.subscriptionId, resource_group: vm.resourceGroup });
    expect(event.data).toEqual({
      virtualMachine: { ...vm, lastSeenAt: expect.any(String), maintenance: { ...vm.maintenance, observedAt: expect.any(String) } },
      selfServiceWindow: vm.maintenance.selfServiceWindow,
      threshold: "2d",
      deadline: vm.maintenance.selfServiceWindow.end,
    });
    expect(Math.abs(new Date(event.data.deadline).getTime() - deadline)).toBeLessThan(60_000);
    expect(await events(soon.id)).toHaveLength(1); // 7d was crossed too, but only the tightest is announced
  });

  it("warns exactly the VMs the domain calls unbooked whose deadline is within the widest threshold", async () => {
    const at = later(9 * DAY);
    const before = new Set((await events()).map((e) => e.id));
    expect(await announce(at)).toBeGreaterThan(0);
    const warned = (await events()).filter((e) => !before.has(e.id)).map((e) => e.subject).sort();
    const vms = await listAll(ctx.http, "/v1/virtual-machines?limit=1000");
    const expected = vms
      .filter((v) => isUnbooked({ status: statusOf(v), maintenanceKnown: v.maintenanceReadAt !== null, activeBooking: v.id === booked.id }, at))
      .filter((v) => new Date(v.maintenance.selfServiceWindow.end).getTime() - at.getTime() <= 7 * DAY)
      .map((v) => v.id)
      .sort();
    expect(warned).toEqual(expected);
    expect(warned).toEqual(expect.arrayContaining([a.id, upcoming.id]));
    for (const quiet of [booked, unknown, completed, far]) expect(warned).not.toContain(quiet.id);
    expect((await events(a.id)).map((e) => e.data.threshold)).toEqual(["2d"]);
  });

  it("never repeats a threshold, even when replicas check at once; the next threshold comes in its time", async () => {
    const [x, y] = await Promise.all([announce(later(9 * DAY + HOUR)), announce(later(9 * DAY + HOUR))]);
    expect(x + y).toBe(0);
    const [p, q] = await Promise.all([announce(later(9 * DAY + 14 * HOUR)), announce(later(9 * DAY + 14 * HOUR))]);
    expect(p + q).toBeGreaterThan(0);
    expect((await events(a.id)).map((e) => e.data.threshold)).toEqual(["2d", "12h"]);
  });

  it("a moved window is a new deadline: its warnings come again", async () => {
    ctx.sim.setMaintenance(a.resourceId, selfServiceWindow(-DAY, 10 * DAY + 2 * HOUR));
    await syncNow(ctx.http);
    await announce(later(9 * DAY));
    const warnings = (await events(a.id)).map((e) => [e.data.threshold, e.data.deadline]);
    expect(warnings).toHaveLength(3);
    expect(warnings[2][0]).toBe("2d");
    expect(warnings[2][1]).not.toBe(warnings[0][1]);
  });
});
