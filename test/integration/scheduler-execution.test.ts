// Executing bookings in-process: the dispatcher against real Postgres and the ARM simulator through the real SDK,
// proved by counting the performMaintenance requests the simulator received.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { InstanceViewFacts, VmRef } from "../../src/azure/gateway.js";
import type { SimVm } from "../../src/azure/simulator/index.js";
import type { Dispatcher } from "../../src/services/dispatcher.js";
import { startExecutionDispatcher, type ExecutionDispatchSettings } from "../../src/services/execution-dispatch.js";
import type { ExecutionGateway } from "../../src/services/execution.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { expectContract } from "../helpers/openapi.js";
import { attemptsOf, insertBookings, openMaintenance, performRequestsFor, plainVms, seedMaintenance, waitForBookings } from "../helpers/scheduler.js";
import { gatewayFor } from "../helpers/simulator.js";

const FLEET = { subscriptions: 2, vmsPerSubscription: 20, seed: 11 };
const SETTINGS: ExecutionDispatchSettings = {
  dispatchIntervalMs: 50, leaseDurationMs: 5_000, misfireGraceSeconds: 3_600, maxAttempts: 5, retryBaseDelayMs: 50, retryMaxDelayMs: 400,
  // Not about update domains: bookings of one availability set run one after another, with no pause between.
  planner: { updateDomainGapMs: 1 },
};

describe("booking execution", () => {
  let ctx: TestContext;
  let vms: SimVm[];
  let next = 0;
  let dispatcher: Dispatcher | null = null;
  const pool = () => ctx.database.db.pool;
  const takeVm = () => vms[next++];
  const dispatch = (settings: Partial<ExecutionDispatchSettings> = {}, gateway: ExecutionGateway = gatewayFor(ctx.sim, { retry: { maxRetries: 0 } })) => {
    dispatcher = startExecutionDispatcher({ pool: pool(), gateway }, { ...SETTINGS, ...settings });
    return dispatcher;
  };
  const performs = (vm: SimVm) => performRequestsFor(ctx.sim.requests({ operation: "performMaintenance" }), vm);

  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: FLEET, operationDurationMs: 30 } });
    vms = plainVms(ctx.sim, 40);
    await seedMaintenance(ctx.sim, ctx.sync, vms);
  });
  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = null;
  });
  afterAll(() => ctx?.close());

  it("starts maintenance once, follows it and records the attempt", async () => {
    const vm = takeVm();
    const [id] = await insertBookings(pool(), [vm]);
    dispatch();
    const [booking] = await waitForBookings(pool(), [id]);
    expect(booking).toMatchObject({ state: "completed", lease_owner: null, operation_state: null });
    expect(performs(vm)).toHaveLength(1);
    const attempts = await attemptsOf(pool(), id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ number: 1, outcome: "succeeded", operation_id: expect.any(String), http_status: null });
    expect(attempts[0].finished_at).toBeInstanceOf(Date);
    // The audit trail has the start and the outcome, each written with its state change.
    const { rows: audit } = await pool().query("SELECT action, actor, after FROM audit_events WHERE target_id = $1 ORDER BY id", [id]);
    expect(audit.map((e) => e.action)).toEqual(["execution.started", "execution.completed"]);
    expect(audit[0].actor).toMatch(/^system:scheduler:/);
    expect(audit[1].after).toMatchObject({ state: "completed", outcome: "succeeded" });
  });

  it("retries a 429 (honouring Retry-After) and a 503, then completes", async () => {
    const vm = takeVm();
    ctx.sim.injectFault({ operation: "performMaintenance", resourceId: vm.resourceId, status: 429, retryAfterSeconds: 1 });
    ctx.sim.injectFault({ operation: "performMaintenance", resourceId: vm.resourceId, status: 503 });
    const [id] = await insertBookings(pool(), [vm]);
    dispatch();
    const [booking] = await waitForBookings(pool(), [id]);
    expect(booking.state).toBe("completed");
    expect(performs(vm).map((r) => r.status)).toEqual([429, 503, 202]);
    const attempts = await attemptsOf(pool(), id);
    expect(attempts.map((a) => [a.outcome, a.http_status, a.error_code])).toEqual([
      ["retryable-error", 429, "TooManyRequests"],
      ["retryable-error", 503, "ServiceUnavailable"],
      ["succeeded", null, null],
    ]);
    // Retry-After: 1 s between the 429 and the next try.
    expect(attempts[1].started_at.getTime() - attempts[0].finished_at.getTime()).toBeGreaterThanOrEqual(900);
  });

  it("ends skipped when the operation fails, and marks the VM skipped in the API", async () => {
    const vm = takeVm();
    ctx.sim.setOperationOutcome(vm.resourceId, { status: "Failed", code: "InternalExecutionError", message: "Maintenance could not complete." });
    const [id] = await insertBookings(pool(), [vm]);
    dispatch();
    const [booking] = await waitForBookings(pool(), [id]);
    expect(booking.state).toBe("skipped");
    expect(booking.state_reason).toContain("InternalExecutionError");
    expect(performs(vm)).toHaveLength(1);
    const [attempt] = await attemptsOf(pool(), id);
    expect(attempt).toMatchObject({ outcome: "skipped", error_code: "InternalExecutionError", error_message: expect.stringContaining("could not complete") });
    const res = await ctx.http.get(`/v1/virtual-machines/${booking.virtual_machine_id}`);
    expectContract(res);
    expect(res.body.maintenance.skippedAt).toEqual(expect.any(String));
  });

  it("stops retrying at the end of the self-service window", async () => {
    const vm = takeVm();
    await seedMaintenance(ctx.sim, ctx.sync, [vm], openMaintenance(3_000));
    const windowEnd = Date.parse(ctx.sim.vms().find((v) => v.resourceId === vm.resourceId)!.maintenance!.preMaintenanceWindowEndTime!);
    ctx.sim.injectFault({ operation: "performMaintenance", resourceId: vm.resourceId, status: 503, times: 1_000 });
    const [id] = await insertBookings(pool(), [vm]);
    dispatch({ maxAttempts: 100, retryBaseDelayMs: 400, retryMaxDelayMs: 800 });
    const [booking] = await waitForBookings(pool(), [id], 15_000);
    expect(booking.state).toBe("failed");
    expect(booking.state_reason).toMatch(/self-service window/);
    const requests = performs(vm);
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.every((r) => Date.parse(r.at) < windowEnd)).toBe(true);
  });

  it("fails after EXECUTION_MAX_ATTEMPTS retryable errors", async () => {
    const vm = takeVm();
    ctx.sim.injectFault({ operation: "performMaintenance", resourceId: vm.resourceId, status: 500, times: 10 });
    const [id] = await insertBookings(pool(), [vm]);
    dispatch({ maxAttempts: 3 });
    const [booking] = await waitForBookings(pool(), [id]);
    expect(booking.state).toBe("failed");
    expect(booking.state_reason).toMatch(/after 3 attempts/);
    expect(performs(vm)).toHaveLength(3);
  });

  it("runs a misfired booking within the grace period and marks a later one missed", async () => {
    const [late, tooLate] = [takeVm(), takeVm()];
    const [lateId] = await insertBookings(pool(), [late], -1_800);
    const [tooLateId] = await insertBookings(pool(), [tooLate], -7_200);
    dispatch();
    const rows = await waitForBookings(pool(), [lateId, tooLateId]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(lateId)?.state).toBe("completed");
    expect(byId.get(tooLateId)).toMatchObject({ state: "missed", state_reason: expect.stringContaining("3600 s") });
    expect(performs(late)).toHaveLength(1);
    expect(performs(tooLate)).toHaveLength(0);
    expect(await attemptsOf(pool(), tooLateId)).toHaveLength(0);
  });

  it("ends not-needed without calling performMaintenance when Azure already completed it", async () => {
    const vm = takeVm();
    const [id] = await insertBookings(pool(), [vm]);
    ctx.sim.setMaintenance(vm.resourceId, { ...openMaintenance(), isCustomerInitiatedMaintenanceAllowed: false, lastOperationResultCode: "MaintenanceCompleted" });
    dispatch();
    const [booking] = await waitForBookings(pool(), [id]);
    expect(booking.state).toBe("not-needed");
    expect(performs(vm)).toHaveLength(0);
    expect((await attemptsOf(pool(), id))[0]).toMatchObject({ outcome: "not-needed" });
  });

  // An operation that ended Succeeded was forgotten when the instance view did not show MaintenanceCompleted yet
  // (Azure may show it with a delay); the next attempt re-read a still-stale view showing maintenance pending and
  // allowed and sent performMaintenance a second time — a second reboot. Later attempts now only re-read the view.
  it("never sends a second performMaintenance after the first operation Succeeded, even if Azure's view lags", async () => {
    const vm = takeVm();
    const real = gatewayFor(ctx.sim, { retry: { maxRetries: 0 } });
    let before: InstanceViewFacts | null = null;
    let started = false;
    let staleReads = 0;
    const lagging: ExecutionGateway = {
      ...real,
      async getInstanceView(ref: VmRef) {
        const view = await real.getInstanceView(ref);
        if (ref.name !== vm.name) return view;
        before ??= view;
        // Azure shows the pre-operation status for the first two reads after the operation (a few seconds of lag).
        if (started && staleReads < 2) return staleReads++, before;
        return view;
      },
      async startMaintenance(ref: VmRef) {
        if (ref.name === vm.name) started = true;
        return real.startMaintenance(ref);
      },
    };
    const [id] = await insertBookings(pool(), [vm]);
    dispatch({}, lagging);
    const [booking] = await waitForBookings(pool(), [id]);
    expect(performs(vm)).toHaveLength(1);
    expect(booking.state).toBe("completed");
    expect((await attemptsOf(pool(), id)).map((a) => a.outcome)).toEqual(["retryable-error", "retryable-error", "succeeded"]);
  });

  // An operation state resumeMaintenance (restorePoller) cannot restore (corrupt, or written by another SDK
  // version) made executeBooking throw before any attempt row: nothing was written, and the booking stayed
  // `running`, claimed again after every lease expiry forever. It is now recorded as a lost operation and retried.
  it("ends a booking whose stored operation cannot be restored instead of leaving it running forever", async () => {
    const vm = takeVm();
    const [id] = await insertBookings(pool(), [vm]);
    await pool().query(`UPDATE bookings SET state = 'running', operation_state = '{"not":"a poller"}' WHERE id = $1`, [id]);
    dispatch({ leaseDurationMs: 300 });
    const rows = await waitForBookings(pool(), [id], 6_000).catch(async (err: Error) => {
      const { rows: now } = await pool().query(`SELECT state, version, lease_owner FROM bookings WHERE id = $1`, [id]);
      throw new Error(`${err.message}; booking now ${JSON.stringify(now[0])}, attempts ${(await attemptsOf(pool(), id)).length}`);
    });
    expect(rows[0].state).not.toBe("running");
    expect((await attemptsOf(pool(), id))[0]).toMatchObject({ outcome: "retryable-error", error_code: "OperationLost" });
  });

  // A Failed long-running operation whose code looks transient (RetryLater) was classified retryable and kept, so
  // every later attempt resumed polling the SAME already-Failed operation until the retry budget ran out
  // (`failed: Gave up after N attempts`). README: a Failed operation → skipped.
  it("does not re-follow an operation that already ended Failed (RetryLater)", async () => {
    const vm = takeVm();
    ctx.sim.setOperationOutcome(vm.resourceId, { status: "Failed", code: "RetryLater", message: "Retry the operation later." });
    const [id] = await insertBookings(pool(), [vm]);
    dispatch({ maxAttempts: 3 });
    const [booking] = await waitForBookings(pool(), [id]);
    const attempts = await attemptsOf(pool(), id);
    const followedFailedOp = attempts.slice(1).filter((a) => a.operation_id === attempts[0].operation_id);
    expect({ state: booking.state, reason: booking.state_reason, reFollowed: followedFailedOp.length }).toMatchObject({ reFollowed: 0 });
    expect(booking.state).toBe("skipped");
  });

  it("on stop keeps the operation and releases the lease; the next dispatcher resumes it without a new request", async () => {
    const slow = await createTestContext({ simulator: { fleet: FLEET, operationDurationMs: 1_500 } });
    try {
      const [svm] = plainVms(slow.sim, 1);
      await seedMaintenance(slow.sim, slow.sync, [svm]);
      const [id] = await insertBookings(slow.database.db.pool, [svm]);
      const gateway = gatewayFor(slow.sim, { retry: { maxRetries: 0 } });
      const first = startExecutionDispatcher({ pool: slow.database.db.pool, gateway }, SETTINGS);
      await waitForBookings(slow.database.db.pool, [id], 10_000, ["running"]);
      await until(async () => (await slow.database.db.pool.query(`SELECT operation_state FROM bookings WHERE id = $1`, [id])).rows[0].operation_state);
      await first.stop();
      const [released] = await waitForBookings(slow.database.db.pool, [id], 1_000, ["running"]);
      expect(released).toMatchObject({ lease_owner: null, operation_state: expect.any(String) });
      const second = startExecutionDispatcher({ pool: slow.database.db.pool, gateway }, SETTINGS);
      const [booking] = await waitForBookings(slow.database.db.pool, [id]);
      await second.stop();
      expect(booking.state).toBe("completed");
      expect(performRequestsFor(slow.sim.requests({ operation: "performMaintenance" }), svm)).toHaveLength(1);
      const attempts = await attemptsOf(slow.database.db.pool, id);
      expect(attempts.map((a) => a.outcome)).toEqual(["succeeded"]);
    } finally {
      await slow.close();
    }
  });
});

async function until(check: () => Promise<unknown>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
