// What the scheduler sees, the VM shows; and Azure's throttling as Azure does it: Compute's own 429s (long
// Retry-After, named policies) block only what they cover, and a wait that runs past the self-service window
// ends the booking at once instead of being slept through. Dispatcher in-process, real SDK, real Postgres.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ArmBudgetLedger } from "../../src/azure/arm-budget.js";
import { armKey } from "../../src/domain/arm-names.js";
import type { SimVm } from "../../src/azure/simulator/index.js";
import type { Dispatcher } from "../../src/services/dispatcher.js";
import { startExecutionDispatcher, type ExecutionDispatchSettings } from "../../src/services/execution-dispatch.js";
import { requestSync } from "../../src/services/sync.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { expectContract } from "../helpers/openapi.js";
import { attemptsOf, insertBookings, openMaintenance, performRequestsFor, plainVms, seedMaintenance, waitForBookings } from "../helpers/scheduler.js";
import { gatewayFor } from "../helpers/simulator.js";

const SETTINGS: ExecutionDispatchSettings = {
  dispatchIntervalMs: 50, leaseDurationMs: 5_000, misfireGraceSeconds: 3_600, maxAttempts: 5, retryBaseDelayMs: 50, retryMaxDelayMs: 400,
};
const COMPUTE_429 = { operation: "performMaintenance", status: 429, code: "OperationNotAllowed", policy: "Microsoft.Compute/PerformMaintenanceVM3Min" };

describe("scheduler and Azure", () => {
  let ctx: TestContext;
  let vms: SimVm[];
  let dispatcher: Dispatcher | null = null;
  // One budget for the dispatcher and the sync, as in a service process (src/main.ts).
  let budget: ArmBudgetLedger;
  const pool = () => ctx.database.db.pool;
  const dispatch = () => {
    const gateway = gatewayFor(ctx.sim, { retry: { maxRetries: 0 }, budget, maxBudgetWaitMs: SETTINGS.leaseDurationMs / 2 });
    dispatcher = startExecutionDispatcher({ pool: pool(), gateway }, SETTINGS);
  };
  const vmJson = async (vm: SimVm) => {
    const { rows } = await pool().query<{ id: string }>(`SELECT id FROM virtual_machines WHERE resource_id_key = $1`, [armKey(vm.resourceId)]);
    const res = await ctx.http.get(`/v1/virtual-machines/${rows[0].id}`);
    expectContract(res);
    return res.body;
  };
  const syncRuns = async () => (await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM sync_runs`)).rows[0].n;

  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 12, seed: 21 }, operationDurationMs: 30 } });
    vms = plainVms(ctx.sim, 12);
    await seedMaintenance(ctx.sim, ctx.sync, vms.slice(0, 10));
  });
  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = null;
    ctx.sim.reset();
  });
  beforeEach(() => {
    budget = new ArmBudgetLedger();
  });
  afterAll(() => ctx?.close());

  it("a booking that completes shows MaintenanceCompleted on the VM at once, without a sync", async () => {
    const vm = vms[0];
    const runsBefore = await syncRuns();
    const [id] = await insertBookings(pool(), [vm]);
    dispatch();
    expect((await waitForBookings(pool(), [id]))[0].state).toBe("completed");
    const body = await vmJson(vm);
    expect(body.maintenance).toMatchObject({ lastOperationResultCode: "MaintenanceCompleted", customerInitiatedMaintenanceAllowed: false });
    expect(body.windowHistory[0]).toMatchObject({ change: "status-changed", syncRunId: null, maintenance: { lastOperationResultCode: "MaintenanceCompleted" } });
    expect(await syncRuns()).toBe(runsBefore);
  });

  it("waits out a Compute 429 with Retry-After: 5 on performMaintenance and completes, while sync reads go on", async () => {
    const vm = vms[1];
    ctx.sim.injectFault({ ...COMPUTE_429, resourceId: vm.resourceId, retryAfterSeconds: 5 });
    const [id] = await insertBookings(pool(), [vm]);
    dispatch();
    await expect.poll(async () => (await attemptsOf(pool(), id)).length, { timeout: 10_000 }).toBe(1);

    // The sync reads instance views while performMaintenance waits: Compute's block covers performMaintenance only.
    const syncStarted = Date.now();
    const run = await (await requestSync({ ...ctx.sync, gateway: gatewayFor(ctx.sim, { budget }) }, "api", undefined, { full: true })).finished;
    expect(run).toMatchObject({ status: "succeeded", instanceViewsRead: 12 });
    expect(Date.now() - syncStarted).toBeLessThan(4_000);
    expect((await pool().query(`SELECT state FROM bookings WHERE id = $1`, [id])).rows[0].state).toBe("running");

    expect((await waitForBookings(pool(), [id], 20_000))[0].state).toBe("completed");
    const attempts = await attemptsOf(pool(), id);
    expect(attempts.map((a) => [a.outcome, a.http_status, a.error_code])).toEqual([["retryable-error", 429, "OperationNotAllowed"], ["succeeded", null, null]]);
    expect(attempts[1].started_at.getTime() - attempts[0].finished_at.getTime()).toBeGreaterThanOrEqual(4_900);
    expect(performRequestsFor(ctx.sim.requests({ operation: "performMaintenance" }), vm).map((r) => r.status)).toEqual([429, 202]);
  });

  it("a Retry-After that runs past the self-service window ends the booking failed at once, naming the wait", async () => {
    const vm = vms[10];
    await seedMaintenance(ctx.sim, ctx.sync, [vm], openMaintenance(10 * 60_000)); // the window ends in 10 minutes
    ctx.sim.injectFault({ ...COMPUTE_429, resourceId: vm.resourceId, retryAfterSeconds: 1_200 });
    const [id] = await insertBookings(pool(), [vm]);
    const started = Date.now();
    dispatch();
    const [booking] = await waitForBookings(pool(), [id], 10_000);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(booking.state).toBe("failed");
    expect(booking.state_reason).toMatch(/^Azure asked to wait 1200 s \(Retry-After\) before trying again, past the end of the self-service window \(.+\); last: OperationNotAllowed: /);
    expect(performRequestsFor(ctx.sim.requests({ operation: "performMaintenance" }), vm)).toHaveLength(1);
  });
});
