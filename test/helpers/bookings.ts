// Fixtures for booking tests: VMs whose maintenance the test chooses, synced into the database.
import type { SimMaintenance } from "../../src/azure/simulator/index.js";
import type { TestContext } from "./app.js";
import { listAll, syncNow } from "./sync.js";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** An ISO time `ms` from now. */
export const fromNow = (ms: number) => new Date(Date.now() + ms).toISOString();

/** A self-service window from `startMs` to `endMs` relative to now, customer-initiated maintenance allowed. */
export function selfServiceWindow(startMs: number, endMs: number, over: SimMaintenance = {}): SimMaintenance {
  return {
    isCustomerInitiatedMaintenanceAllowed: true,
    preMaintenanceWindowStartTime: fromNow(startMs),
    preMaintenanceWindowEndTime: fromNow(endMs),
    maintenanceWindowStartTime: fromNow(endMs + DAY),
    maintenanceWindowEndTime: fromNow(endMs + DAY + 8 * HOUR),
    lastOperationResultCode: "None",
    ...over,
  };
}

export interface FixtureVm {
  id: string;
  resourceId: string;
  subscriptionId: string;
}

/**
 * Gives `count` plain VMs (not yet used by an earlier call) the maintenance `make(i)` returns, syncs, and
 * returns their API ids.
 */
export function vmFixtures(ctx: () => TestContext) {
  let used = 0;
  return async (count: number, make: (i: number) => SimMaintenance | null): Promise<FixtureVm[]> => {
    const plain = ctx().sim.vms().filter((vm) => !vm.scaleSetName).slice(used, used + count);
    if (plain.length < count) throw new Error("the simulated fleet has too few VMs for this test file");
    used += count;
    plain.forEach((vm, i) => ctx().sim.setMaintenance(vm.resourceId, make(i)));
    await syncNow(ctx().http, { full: true }); // read every VM: some had no maintenance when last read
    const listed = await listAll(ctx().http, "/v1/virtual-machines?limit=1000&includeGone=true");
    const byKey = new Map(listed.map((vm) => [vm.resourceId.toLowerCase(), vm]));
    return plain.map((vm) => {
      const found = byKey.get(vm.resourceId.toLowerCase());
      if (!found) throw new Error(`${vm.resourceId} was not synced`);
      return { id: found.id, resourceId: vm.resourceId, subscriptionId: found.subscriptionId };
    });
  };
}

/** Polls GET /v1/bookings/{id} until `done` holds (the post-sync re-check runs just after the run finishes). */
export async function waitForBooking(ctx: TestContext, id: string, done: (b: Record<string, any>) => boolean): Promise<Record<string, any>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await ctx.http.get(`/v1/bookings/${id}`);
    if (done(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`booking ${id} did not reach the expected state: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
