// The fixture both scope-assignment suites start from: an Entra test identity provider, two subscriptions with six
// bookable VMs each, and one booking in the second subscription, made by an unrestricted admin app.
import { createTestContext, type TestContext } from "./app.js";
import { ADMIN, startTestIdentityProvider, type TestIdentityProvider } from "./auth.js";
import { DAY, HOUR, fromNow, selfServiceWindow, vmFixtures, type FixtureVm } from "./bookings.js";

export const TEAM = "7ea70000-0000-4000-8000-0000000007ea";
export const resourceGroup = (vm: FixtureVm) => vm.resourceId.split("/")[4];

export interface ScopeFixture {
  idp: TestIdentityProvider;
  ctx: TestContext;
  /** VMs in the first subscription (the one scoped principals are given). */
  mine: FixtureVm[];
  /** VMs in the second subscription. */
  theirs: FixtureVm[];
  theirBooking: Record<string, any>;
  close(): Promise<void>;
}

export async function createScopeFixture(): Promise<ScopeFixture> {
  const idp = await startTestIdentityProvider();
  const ctx = await createTestContext({
    simulator: { fleet: { subscriptions: 2, vmsPerSubscription: 6, scaleSetsPerSubscription: 0, seed: 8 } },
    auth: idp.setup(),
    token: await idp.app(ADMIN),
  });
  const all = await vmFixtures(() => ctx)(12, () => selfServiceWindow(-DAY, 5 * DAY));
  const mine = all.filter((v) => v.subscriptionId === all[0].subscriptionId);
  const theirs = all.filter((v) => v.subscriptionId !== all[0].subscriptionId);
  const theirBooking = (await ctx.http.post("/v1/bookings").send({ virtualMachineId: theirs[0].id, startAt: fromNow(3 * HOUR) })).body;
  return {
    idp, ctx, mine, theirs, theirBooking,
    async close() {
      await ctx.close();
      await idp.close();
    },
  };
}
