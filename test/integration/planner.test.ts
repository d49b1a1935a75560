// The planner end to end: two dispatchers (replicas, each with its own pool) on one database, the ARM simulator
// through the real SDK, operations lasting about a second and UPDATE_DOMAIN_GAP a second. What matters is what
// happened at Azure: the simulator's operation log (wall-clock start and end of every performMaintenance).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OperationLogEntry, SimVm } from "../../src/azure/simulator/index.js";
import { createDb, type Db } from "../../src/db/client.js";
import { armKey } from "../../src/domain/arm-names.js";
import type { Dispatcher } from "../../src/services/dispatcher.js";
import { startExecutionDispatcher, type ExecutionDispatchSettings } from "../../src/services/execution-dispatch.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { insertBookings, seedMaintenance, waitForBookings } from "../helpers/scheduler.js";
import { gatewayFor } from "../helpers/simulator.js";
import { until } from "../helpers/until.js";

const OPERATION_MS = 1_000;
const GAP_MS = 1_000;
const SETTINGS: ExecutionDispatchSettings = {
  dispatchIntervalMs: 100, leaseDurationMs: 10_000, misfireGraceSeconds: 3_600, maxAttempts: 3, retryBaseDelayMs: 50, retryMaxDelayMs: 200,
  planner: { updateDomainGapMs: GAP_MS, endMarginMs: 0 },
};

describe("planner: update domains, maintenance groups, two replicas", () => {
  let ctx: TestContext;
  let second: Db;
  let free: SimVm[];
  const running: Dispatcher[] = [];
  const pool = () => ctx.database.db.pool;

  /**
   * VMs of no set so far, placed into availability set `set` with these update domains, and synced. An
   * availability set belongs to one resource group (the same name in another is another set): one is picked.
   */
  async function availabilitySet(set: string, updateDomains: number[]): Promise<SimVm[]> {
    const inGroup = (rg: string) => free.filter((vm) => vm.resourceGroup === rg);
    const resourceGroup = free.map((vm) => vm.resourceGroup).find((rg) => inGroup(rg).length >= updateDomains.length);
    if (!resourceGroup) throw new Error(`no resource group has ${updateDomains.length} free VMs left`);
    const vms = inGroup(resourceGroup).slice(0, updateDomains.length);
    free = free.filter((vm) => !vms.includes(vm));
    vms.forEach((vm, i) => ctx.sim.setPlacement(vm.resourceId, { availabilitySet: set, platformUpdateDomain: updateDomains[i] }));
    await seedMaintenance(ctx.sim, ctx.sync, vms);
    return vms;
  }

  /** Two replicas claiming from one database, each with its own pool, owner and SDK client. */
  function startReplicas(): void {
    for (const db of [ctx.database.db, second]) running.push(startExecutionDispatcher({ pool: db.pool, gateway: gatewayFor(ctx.sim) }, SETTINGS));
  }

  async function stopReplicas(): Promise<void> {
    await Promise.all(running.splice(0).map((d) => d.stop()));
  }

  const opsOf = (vms: SimVm[]): OperationLogEntry[] => {
    const keys = new Set(vms.map((vm) => armKey(vm.resourceId)));
    return ctx.sim.operationLog().filter((op) => op.resourceIds.some((id) => keys.has(armKey(id))));
  };
  const ms = (iso: string) => Date.parse(iso);
  /** The most operations of `ops` at the simulator at any one moment. */
  const peak = (ops: OperationLogEntry[]) =>
    Math.max(0, ...ops.map((a) => ops.filter((b) => ms(b.startedAt) <= ms(a.startedAt) && ms(a.startedAt) < ms(b.endsAt)).length));

  const putGroup = (name: string, body: object) => ctx.http.put(`/v1/maintenance-groups/${name}`).send(body);

  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 80, seed: 29 }, operationDurationMs: OPERATION_MS }, updateDomainGapMs: GAP_MS });
    second = createDb(ctx.database.url, { max: 4 });
    free = ctx.sim.vms().filter((vm) => !vm.scaleSetName && !vm.availabilitySet);
  });
  afterAll(async () => {
    await stopReplicas();
    await second?.close();
    await ctx?.close();
  });

  it("goes through an availability set one update domain at a time, with the gap between, though all six are booked for the same minute", async () => {
    const vms = await availabilitySet("AVSET-UD", [0, 0, 1, 1, 2, 2]);
    const ids = await insertBookings(pool(), vms, -1);
    startReplicas();
    const rows = await waitForBookings(pool(), ids, 60_000);
    await stopReplicas();
    expect(rows.map((r) => r.state)).toEqual(Array(6).fill("completed"));

    const ops = opsOf(vms);
    expect(ops).toHaveLength(6);
    const domainOf = new Map(vms.map((vm, i) => [armKey(vm.resourceId), [0, 0, 1, 1, 2, 2][i]]));
    const spans = [0, 1, 2].map((ud) => {
      const own = ops.filter((op) => domainOf.get(armKey(op.resourceIds[0])) === ud);
      return { ud, start: Math.min(...own.map((o) => ms(o.startedAt))), end: Math.max(...own.map((o) => ms(o.endsAt))) };
    }).sort((a, b) => a.start - b.start);
    // One domain after another: each starts at least the gap after the previous one's last operation ended.
    for (let i = 1; i < spans.length; i++) expect(spans[i].start - spans[i - 1].end).toBeGreaterThanOrEqual(GAP_MS);
    // Both VMs of a domain run together: the planner holds back other domains only.
    expect(peak(ops)).toBe(2);
    // Those that waited say why, and it is gone once they ran.
    const { rows: audit } = await pool().query(`SELECT count(*)::int AS n FROM bookings WHERE id = ANY($1::uuid[]) AND deferred_until IS NOT NULL`, [ids]);
    expect(audit[0].n).toBe(0);
  });

  it("never has more operations in flight in a group than its maxConcurrent", async () => {
    const vms = await availabilitySet("AVSET-CONC", Array(8).fill(0)); // one update domain: only the group limits them
    expect((await putGroup("conc", { selector: { availabilitySet: "avset-conc" }, policy: { maxConcurrent: 2 } })).body).toMatchObject({ members: 8 });
    const ids = await insertBookings(pool(), vms, -1);
    startReplicas();
    // While they run, the group shows what the planner is doing.
    const during = await until("the group to defer some", async () => {
      const { body } = await ctx.http.get("/v1/maintenance-groups/conc");
      return body.deferred > 0 && body;
    });
    expect(during.inFlight).toBeLessThanOrEqual(2);
    const rows = await waitForBookings(pool(), ids, 60_000);
    await stopReplicas();
    expect(rows.map((r) => r.state)).toEqual(Array(8).fill("completed"));
    expect(opsOf(vms)).toHaveLength(8);
    expect(peak(opsOf(vms))).toBe(2);
  });

  it("holds a group's remaining bookings after more errors than maxErrors, and resume lets them run", async () => {
    const vms = await availabilitySet("AVSET-ERR", Array(4).fill(0));
    await putGroup("err", { selector: { availabilitySet: "AVSET-ERR" }, policy: { maxConcurrent: 1, maxErrors: 0 } });
    ctx.sim.setOperationOutcome(vms[0].resourceId, { status: "Failed", code: "InternalExecutionError", message: "host update failed" });
    const [first] = await insertBookings(pool(), [vms[0]], -10); // the earliest: it runs first, alone
    const rest = await insertBookings(pool(), vms.slice(1), -1);
    startReplicas();
    expect((await waitForBookings(pool(), [first], 30_000))[0].state).toBe("skipped");
    const held = await waitForBookings(pool(), rest, 30_000, ["held"]);
    expect(held.map((r) => r.state_reason)).toEqual(Array(3).fill(expect.stringMatching(/err is past its error budget/)));
    expect(opsOf(vms)).toHaveLength(1);
    const { body: group } = await ctx.http.get("/v1/maintenance-groups/err");
    expect(group).toMatchObject({ members: 4, held: 3, errorsSinceResume: 1, inFlight: 0 });
    const booking = (await ctx.http.get(`/v1/bookings/${rest[0]}`)).body;
    expect(booking).toMatchObject({ state: "held", stateReason: expect.stringContaining("resume") });

    const resumed = await ctx.http.post("/v1/maintenance-groups/err/resume");
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ held: 0, errorsSinceResume: 0 });
    const done = await waitForBookings(pool(), rest, 30_000);
    await stopReplicas();
    expect(done.map((r) => r.state)).toEqual(Array(3).fill("completed"));
    expect(peak(opsOf(vms.slice(1)))).toBe(1);
    const { rows: audit } = await pool().query(`SELECT action, actor FROM audit_events WHERE target_id = $1 ORDER BY id`, [rest[0]]);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["booking.held", "booking.resumed"]));
    const { rows: events } = await pool().query(`SELECT type FROM outbox_events WHERE subject = $1 ORDER BY sequence`, [rest[0]]);
    // (inserted with SQL, so no booking.created)
    expect(events.map((e) => e.type.replace("org.maintenance-planner.", ""))).toEqual(["booking.held", "booking.resumed", "booking.started", "booking.completed"]);
  });

  it("starts a group that runs `after` another only when the other's earlier bookings are over", async () => {
    const firstVms = await availabilitySet("AVSET-FIRST", [0, 0]);
    const thenVms = await availabilitySet("AVSET-THEN", [0, 0]);
    await putGroup("first", { selector: { availabilitySet: "AVSET-FIRST" } });
    await putGroup("then", { selector: { availabilitySet: "AVSET-THEN" }, policy: { after: ["first"] } });
    // Booked a moment apart, `first`'s first: `then` waits for them (a `first` booking later than `then`'s would not count).
    const ids = [...(await insertBookings(pool(), firstVms, -1)), ...(await insertBookings(pool(), thenVms, -1))];
    startReplicas();
    const rows = await waitForBookings(pool(), ids, 60_000);
    await stopReplicas();
    expect(rows.map((r) => r.state)).toEqual(Array(4).fill("completed"));
    const lastFirstEnd = Math.max(...opsOf(firstVms).map((o) => ms(o.endsAt)));
    const firstThenStart = Math.min(...opsOf(thenVms).map((o) => ms(o.startedAt)));
    expect(firstThenStart).toBeGreaterThanOrEqual(lastFirstEnd);
  });

  it("projects starts in the plan preview that then happen, within a dispatch interval plus the operation-time error", async () => {
    // Learn how long an operation takes from one that ran (the preview's estimate; 15 minutes without any).
    const [warm] = free.splice(0, 1);
    await seedMaintenance(ctx.sim, ctx.sync, [warm]);
    startReplicas();
    await waitForBookings(pool(), await insertBookings(pool(), [warm], -1), 30_000);
    await stopReplicas();

    const vms = await availabilitySet("AVSET-PREVIEW", [0, 1, 2]);
    const ids = await insertBookings(pool(), vms, 1);
    const { body: preview, status } = await ctx.http.post("/v1/plan-previews").send({});
    expect(status).toBe(200);
    const projected = new Map<string, number>(
      preview.value.filter((p: { bookingId: string }) => ids.includes(p.bookingId)).map((p: { bookingId: string; projectedStartAt: string }) => [p.bookingId, ms(p.projectedStartAt)]),
    );
    expect(projected.size).toBe(3);
    const estimate = preview.operationEstimateSeconds * 1000;
    startReplicas();
    await waitForBookings(pool(), ids, 60_000);
    await stopReplicas();
    const { rows } = await pool().query<{ booking_id: string; started_at: Date; finished_at: Date }>(
      `SELECT booking_id, started_at, finished_at FROM execution_attempts WHERE booking_id = ANY($1::uuid[])`, [ids],
    );
    // Each later domain inherits the earlier ones' differences between the estimate and what happened.
    const actual = rows.map((r) => r.finished_at.getTime() - r.started_at.getTime());
    const operationError = actual.reduce((sum, d) => sum + Math.abs(d - estimate), 0);
    for (const r of rows) {
      expect(Math.abs(r.started_at.getTime() - projected.get(r.booking_id)!)).toBeLessThanOrEqual(SETTINGS.dispatchIntervalMs + operationError + 500);
    }
  });
});
