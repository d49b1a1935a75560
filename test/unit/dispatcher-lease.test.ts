// The dispatcher's own view of a lease: renewed by the heartbeat; when renewals fail (e.g. the database is
// unreachable) it stops vouching for the lease, so execution refuses to send performMaintenance on a lease that
// another replica may have taken over by then.
import { describe, expect, it } from "vitest";
import { startDispatcher } from "../../src/services/dispatcher.js";
import type { ExecutionControl, RunnableBooking } from "../../src/services/execution.js";

const booking: RunnableBooking = {
  id: "b1", virtualMachineId: "vm1", startAt: new Date(), operationState: null, selfServiceWindowEnd: null,
  vm: { subscriptionId: "s", resourceGroup: "rg", name: "vm", scaleSetName: null, scaleSetInstanceId: null },
};

async function leaseSafeAfter(ms: number, renew: () => Promise<Set<string>>): Promise<boolean[]> {
  let claimed = false;
  const samples: boolean[] = [];
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const dispatcher = startDispatcher({
    claim: async () => (claimed ? [] : ((claimed = true), [booking])),
    execute: async (_b, control: ExecutionControl) => {
      samples.push(control.leaseSafe());
      await new Promise((r) => setTimeout(r, ms));
      samples.push(control.leaseSafe());
      finish();
    },
    renew,
    releaseAll: async () => 0,
    intervalMs: 20,
    heartbeatMs: 100,
    leaseMs: 300,
    claimBatch: 10,
    maxInFlight: 10,
    startsPerSubscription: 1,
  });
  await finished;
  await dispatcher.stop();
  return samples;
}

describe("dispatcher lease view", () => {
  it("keeps vouching for a lease while renewals succeed, well past the lease's length", async () => {
    expect(await leaseSafeAfter(700, async () => new Set([booking.id]))).toEqual([true, true]);
  });

  it("stops vouching once renewals fail for longer than two thirds of the lease", async () => {
    expect(await leaseSafeAfter(400, async () => Promise.reject(new Error("database unreachable")))).toEqual([true, false]);
  });
});
