// Scope assignments, the cases a security review found open: groups left out of the token, scoped admins,
// idempotent replays, principals sharing a display name, and out-of-scope writes answered like unknown ids.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestContext } from "../helpers/app.js";
import { ADMIN, BOOKER, READER, type TestIdentityProvider } from "../helpers/auth.js";
import { HOUR, fromNow, type FixtureVm } from "../helpers/bookings.js";
import { TEAM, createScopeFixture, resourceGroup, type ScopeFixture } from "../helpers/scope.js";


describe("scope assignments: regressions", () => {
  let fx: ScopeFixture;
  let ctx: TestContext;
  let idp: TestIdentityProvider;
  let mine: FixtureVm[];
  let theirs: FixtureVm[];
  let theirBooking: Record<string, any>;
  beforeAll(async () => {
    fx = await createScopeFixture();
    ({ ctx, idp, mine, theirs, theirBooking } = fx);
    // The team may only work in the first subscription.
    expect((await ctx.http.post("/v1/scope-assignments").send({ principalId: TEAM, subscriptionId: mine[0].subscriptionId })).status).toBe(201);
  });
  afterAll(() => fx?.close());
  const bearer = (t: string) => `Bearer ${t}`;

  it("a team member whose token carries the groups overage marker instead of `groups` is not unrestricted (fails closed)", async () => {
    // Entra puts `_claim_names`/`_claim_sources` in place of `groups` when a user is in more than 200 groups
    // (6 in implicit-flow tokens: `hasgroups: true`). The scope the team assignment sets must still hold: the
    // service asks Microsoft Graph (test/integration/security-groups-graph.test.ts has the cases).
    const DANA = "0d0d0d0d-0000-4000-8000-000000000d0d";
    idp.graph.setGroups(DANA, Array.from({ length: 250 }, (_, i) => `0d0d${String(i).padStart(4, "0")}-0000-4000-8000-000000000000`).concat(TEAM));
    const overage = await idp.user(BOOKER, {
      oid: DANA, preferred_username: "dana@contoso.com",
      _claim_names: { groups: "src1" }, _claim_sources: { src1: { endpoint: "https://graph.microsoft.com/v1.0/users/x/getMemberObjects" } },
    });
    const detail = await ctx.anonymous.get(`/v1/virtual-machines/${theirs[1].id}`).set("authorization", bearer(overage));
    expect(detail.status).not.toBe(200);
    const booking = await ctx.anonymous.get(`/v1/bookings/${theirBooking.id}`).set("authorization", bearer(overage));
    expect(booking.status).not.toBe(200);
    const book = await ctx.anonymous.post("/v1/bookings").set("authorization", bearer(overage)).send({ virtualMachineId: theirs[1].id, startAt: fromNow(3 * HOUR) });
    expect(book.status).not.toBe(201);
  });

  it("cancel / PATCH of a booking outside scope answers like GET (404) and does not reveal where it is", async () => {
    const erin = await idp.user(BOOKER, { oid: "0e0e0e0e-0000-4000-8000-000000000e0e", preferred_username: "erin@contoso.com", groups: [TEAM] });
    const unknown = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    expect((await ctx.anonymous.get(`/v1/bookings/${theirBooking.id}`).set("authorization", bearer(erin))).status).toBe(404);
    const cancelMissing = await ctx.anonymous.post(`/v1/bookings/${unknown}/cancel`).set("authorization", bearer(erin));
    const cancelTheirs = await ctx.anonymous.post(`/v1/bookings/${theirBooking.id}/cancel`).set("authorization", bearer(erin));
    const patchTheirs = await ctx.anonymous.patch(`/v1/bookings/${theirBooking.id}`).set("authorization", bearer(erin)).set("if-match", '"1"').send({ note: "x" });
    const bookTheirs = await ctx.anonymous.post("/v1/bookings").set("authorization", bearer(erin)).send({ virtualMachineId: theirs[2].id, startAt: fromNow(3 * HOUR) });
    for (const res of [cancelTheirs, patchTheirs, bookTheirs]) {
      const text = JSON.stringify(res.body).toLowerCase();
      expect(text).not.toContain(theirs[0].subscriptionId.toLowerCase());
      expect(text).not.toContain(resourceGroup(theirs[0]).toLowerCase());
    }
    // An existing booking elsewhere and a booking that does not exist must be indistinguishable.
    expect(cancelTheirs.status).toBe(cancelMissing.status);
    expect(patchTheirs.status).toBe(404);
  });

  it("an Idempotency-Key replay does not hand out a booking outside the caller's scope", async () => {
    // frank books in the other subscription while unrestricted, with a key ...
    const FRANK = "0f0f0f0f-0000-4000-8000-000000000f0f";
    const frank = () => idp.user(BOOKER, { oid: FRANK, preferred_username: "frank@contoso.com" });
    const body = { virtualMachineId: theirs[3].id, startAt: fromNow(5 * HOUR) };
    const first = await ctx.anonymous.post("/v1/bookings").set("authorization", bearer(await frank())).set("idempotency-key", "k-frank-1").send(body);
    expect(first.status).toBe(201);
    // ... then is narrowed to the first subscription: GET hides the booking, a replay must too.
    expect((await ctx.http.post("/v1/scope-assignments").send({ principalId: FRANK, subscriptionId: mine[0].subscriptionId })).status).toBe(201);
    expect((await ctx.anonymous.get(`/v1/bookings/${first.body.id}`).set("authorization", bearer(await frank()))).status).toBe(404);
    const replay = await ctx.anonymous.post("/v1/bookings").set("authorization", bearer(await frank())).set("idempotency-key", "k-frank-1").send(body);
    expect(replay.status).not.toBe(201);
    expect(replay.body.id).toBeUndefined();
  });

  it("idempotency keys belong to the principal (oid), not to its mutable preferred_username", async () => {
    // A UPN that is renamed and later given to someone else (or any two tokens with the same display name):
    // the second principal, scoped to the first subscription, must not replay the first one's booking.
    const body = { virtualMachineId: theirs[4].id, startAt: fromNow(6 * HOUR) };
    const gina = await idp.user(BOOKER, { oid: "09090909-0000-4000-8000-000000000909", preferred_username: "shared@contoso.com" });
    const first = await ctx.anonymous.post("/v1/bookings").set("authorization", bearer(gina)).set("idempotency-key", "k-shared").send(body);
    expect(first.status).toBe(201);
    const other = await idp.user(READER.concat(BOOKER), { oid: "0a0a0a0a-0000-4000-8000-000000000a0a", preferred_username: "shared@contoso.com", groups: [TEAM] });
    const replay = await ctx.anonymous.post("/v1/bookings").set("authorization", bearer(other)).set("idempotency-key", "k-shared").send(body);
    expect({ status: replay.status, replayed: replay.headers["idempotent-replayed"] }).not.toEqual({ status: 201, replayed: "true" });
  });
  it("a scoped Admin stays scoped: no audit events of bookings outside its scope, no removing its own assignment", async () => {
    const ADM = "0ad00000-0000-4000-8000-0000000000ad";
    const own = await ctx.http.post("/v1/scope-assignments").send({ principalId: ADM, subscriptionId: mine[0].subscriptionId });
    expect(own.status).toBe(201);
    const admin = await idp.user(ADMIN, { oid: ADM, preferred_username: "scoped-admin@contoso.com" });
    expect((await ctx.anonymous.get(`/v1/bookings/${theirBooking.id}`).set("authorization", bearer(admin))).status).toBe(404);
    const audit = await ctx.anonymous.get(`/v1/audit-events?targetId=${theirBooking.id}`).set("authorization", bearer(admin));
    expect(audit.status === 200 ? audit.body.value : []).toEqual([]);
    const escape = await ctx.anonymous.delete(`/v1/scope-assignments/${own.body.id}`).set("authorization", bearer(admin));
    expect(escape.status).not.toBe(204);
  });
});
