// Scheduler regressions around stops and leases: each test once demonstrated a bug (an unhandled rejection, attempts
// left open that never sent anything, a send on a lease renewals could no longer vouch for). The dispatcher against
// real Postgres and the ARM simulator through the real SDK, counting performMaintenance requests at the simulator.
import { afterAll, describe, expect, it } from "vitest";
import type { VmRef } from "../../src/azure/gateway.js";
import type { Dispatcher } from "../../src/services/dispatcher.js";
import { startExecutionDispatcher, type ExecutionDispatchSettings } from "../../src/services/execution-dispatch.js";
import type { ExecutionGateway } from "../../src/services/execution.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { insertBookings, performRequestsFor, plainVms, seedMaintenance, waitForBookings } from "../helpers/scheduler.js";
import { gatewayFor } from "../helpers/simulator.js";

const FLEET = { subscriptions: 2, vmsPerSubscription: 20, seed: 11 };
const SETTINGS: ExecutionDispatchSettings = {
  dispatchIntervalMs: 50, leaseDurationMs: 5_000, misfireGraceSeconds: 3_600, maxAttempts: 5, retryBaseDelayMs: 50, retryMaxDelayMs: 400,
  // Not about update domains: bookings of one availability set run one after another, with no pause between.
  planner: { updateDomainGapMs: 1 },
};

describe("scheduler regressions: stops and lost leases", () => {
  let ctx: TestContext;
  afterAll(() => ctx?.close());

  // untilStopped(operation.wait(), signal) started the poll and threw Stopped BEFORE attaching work.catch(): when
  // the stop (or a lost lease) came while performMaintenance / storeOperation was in flight, the orphaned poll's
  // rejection was unhandled — in the bree dispatch worker thread that kills the worker and every execution in it.
  it("does not leave an unhandled rejection behind when stopped while performMaintenance was in flight", async () => {
    const local = await createTestContext({ simulator: { fleet: FLEET, operationDurationMs: 100 } });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const [vm] = plainVms(local.sim, 1);
      await seedMaintenance(local.sim, local.sync, [vm]);
      local.sim.setOperationOutcome(vm.resourceId, { status: "Failed", code: "InternalExecutionError", message: "boom" });
      const [id] = await insertBookings(local.database.db.pool, [vm]);
      const real = gatewayFor(local.sim, { retry: { maxRetries: 0 } });
      let d: Dispatcher | null = null;
      let stopping: Promise<void> | null = null;
      const gateway: ExecutionGateway = {
        ...real,
        async startMaintenance(ref: VmRef) {
          const op = await real.startMaintenance(ref);
          stopping = d!.stop(); // SIGTERM arrives while the POST is answered
          await new Promise((r) => setTimeout(r, 100));
          return op;
        },
      };
      d = startExecutionDispatcher({ pool: local.database.db.pool, gateway }, SETTINGS);
      await waitForBookings(local.database.db.pool, [id], 10_000, ["running"]);
      while (!stopping) await new Promise((r) => setTimeout(r, 20));
      await stopping;
      await new Promise((r) => setTimeout(r, 1_000)); // the orphaned poll sees the operation Failed
      expect(unhandled.map(String)).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      await local.close();
    }
  });

  // The attempt row was inserted before the last safe point; a stop that arrived while start phases waited for the
  // subscription's start slot left those attempts open with no operation. The next owner closed them as
  // `Interrupted` and counted them as "may have started maintenance" (prior_start), so a graceful restart burned
  // attempts and could credit `completed` for maintenance never sent.
  it("leaves no open attempt behind for a booking that never sent performMaintenance", async () => {
    ctx = await createTestContext({ simulator: { fleet: FLEET, operationDurationMs: 2_000, latencyMs: 150 } });
    // VMs in no availability set: all six may run at once (the planner runs one update domain of a set at a time).
    const targets = ctx.sim.vms().filter((vm) => !vm.scaleSetName && !vm.availabilitySet && vm.subscriptionId === ctx.sim.subscriptionIds[0]).slice(0, 6);
    await seedMaintenance(ctx.sim, ctx.sync, targets);
    const ids = await insertBookings(ctx.database.db.pool, targets);
    const gateway = gatewayFor(ctx.sim, { retry: { maxRetries: 0 } });
    const d = startExecutionDispatcher({ pool: ctx.database.db.pool, gateway }, { ...SETTINGS, startsPerSubscription: 1 });
    await waitForBookings(ctx.database.db.pool, ids, 10_000, ["running"]);
    await new Promise((r) => setTimeout(r, 200));
    await d.stop();
    const { rows } = await ctx.database.db.pool.query(
      `SELECT a.booking_id, a.number FROM execution_attempts a WHERE a.booking_id = ANY($1::uuid[]) AND a.finished_at IS NULL AND a.operation_id IS NULL`,
      [ids],
    );
    const sent = targets.filter((vm) => performRequestsFor(ctx.sim.requests({ operation: "performMaintenance" }), vm).length > 0).length;
    expect({ sent, openAttemptsWithoutOperation: rows.length }).toMatchObject({ openAttemptsWithoutOperation: 0 });
  });
  // A process whose lease renewals fail (database unreachable) while a start phase is slow could send
  // performMaintenance after its lease expired — and after another replica took the booking over.
  it("does not send performMaintenance once renewals have failed for most of the lease", async () => {
    const local = await createTestContext({ simulator: { fleet: FLEET } });
    try {
      const [vm] = plainVms(local.sim, 1);
      await seedMaintenance(local.sim, local.sync, [vm]);
      const [id] = await insertBookings(local.database.db.pool, [vm]);
      const real = gatewayFor(local.sim, { retry: { maxRetries: 0 } });
      const pool = local.database.db.pool;
      // Every heartbeat renewal fails; everything else reaches the database.
      const failingRenewals = new Proxy(pool, {
        get(target, prop, receiver) {
          if (prop !== "query") return Reflect.get(target, prop, receiver);
          return (sql: unknown, ...rest: unknown[]) =>
            typeof sql === "string" && sql.includes("SET lease_expires_at = now()") ? Promise.reject(new Error("database unreachable")) : (target.query as Function).call(target, sql, ...rest);
        },
      });
      const gateway: ExecutionGateway = {
        ...real,
        async getInstanceView(ref: VmRef) {
          await new Promise((r) => setTimeout(r, 700)); // a slow read: the lease (600 ms) runs out meanwhile
          return real.getInstanceView(ref);
        },
      };
      const d = startExecutionDispatcher({ pool: failingRenewals, gateway }, { ...SETTINGS, leaseDurationMs: 600 });
      await waitForBookings(pool, [id], 10_000, ["running"]);
      await new Promise((r) => setTimeout(r, 1_200));
      await d.stop();
      expect(performRequestsFor(local.sim.requests(), vm)).toEqual([]);
    } finally {
      await local.close();
    }
  });
});
