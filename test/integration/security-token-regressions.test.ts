// Token type: an ID-token-shaped token (no scp, no appid/azp) is not an application token (found in a security review).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { ADMIN, startTestIdentityProvider, type TestIdentityProvider } from "../helpers/auth.js";

describe("token type: regressions", () => {
  let idp: TestIdentityProvider;
  let ctx: TestContext;
  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 1 } }, auth: idp.setup() });
  });
  afterAll(async () => {
    await ctx?.close();
    await idp?.close();
  });

  it("refuses a token that is neither delegated (scp) nor an application token (appid/azp), e.g. an ID token", async () => {
    // The shape of an Entra v2 ID token issued to a client whose id is in AUTH_AUDIENCE: no scp, no idtyp, no
    // azp/appid, a nonce, and the user's app roles. Today it is taken as an *application* named by the user's oid.
    const idToken = await idp.sign({ oid: "0a1b2c3d-0000-4000-8000-000000000013", preferred_username: "id@contoso.com", nonce: "n-1", roles: ADMIN });
    const res = await ctx.anonymous.get("/v1/audit-events?limit=1").set("authorization", `Bearer ${idToken}`);
    expect(res.status).toBe(401);
  });
});
