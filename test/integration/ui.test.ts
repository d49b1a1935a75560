// The page's server side: / and its assets from dist/web with the page's own Content-Security-Policy (the API
// keeps `default-src 'none'`), MSAL's redirect bridge without COOP, the public sign-in configuration, and
// GET /v1/me for showing only what the caller may do.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { loadConfig } from "../../src/config/config.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { AUDIENCE, BOOKER, READER, TENANT, startTestIdentityProvider, type TestIdentityProvider } from "../helpers/auth.js";
import { expectContract } from "../helpers/openapi.js";

const PAGE_CLIENT = "0a0b0c0d-0000-4000-8000-000000000002";

describe("the page and its configuration", () => {
  let ctx: TestContext;
  let idp: TestIdentityProvider;
  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 2, seed: 4 } } });
    idp = await startTestIdentityProvider();
  });
  afterAll(async () => {
    await ctx?.close();
    await idp?.close();
  });

  it("serves the built page at / with its own CSP; its assets load; the API keeps default-src 'none'", async () => {
    const page = await ctx.http.get("/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.headers["cache-control"]).toBe("no-cache");
    const csp = page.headers["content-security-policy"];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe");
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeTruthy();
    const asset = await ctx.http.get(script!);
    expect(asset.status).toBe(200);
    expect(asset.headers["content-type"]).toMatch(/javascript/);
    expect(asset.headers["cache-control"]).toContain("immutable");
    expect((await ctx.http.get("/assets/nothing-here.js")).status).toBe(404);

    const api = await ctx.http.get("/v1/virtual-machines?limit=1");
    expect(api.headers["content-security-policy"]).toBe("default-src 'none';frame-ancestors 'none'");
  });

  it("serves MSAL's redirect bridge without Cross-Origin-Opener-Policy, which would cut it off from the page", async () => {
    expect((await ctx.http.get("/")).headers["cross-origin-opener-policy"]).toBe("same-origin");
    const bridge = await ctx.http.get("/auth-redirect.html");
    expect(bridge.status).toBe(200);
    expect(bridge.headers["cross-origin-opener-policy"]).toBeUndefined();
  });

  it("without a built page, / says how to build it", async () => {
    const app = await buildApp({ ...ctx.appDeps, pageRoot: mkdtempSync(path.join(tmpdir(), "mp-no-page-")) });
    await app.ready();
    const res = await request(app.server).get("/");
    expect(res.status).toBe(404);
    expect(res.body.detail).toContain("npm run build:web");
    await app.close();
  });

  it("AUTH_MODE=none: no sign-in; /v1/me is anonymous with every role", async () => {
    const config = await ctx.http.get("/ui-config.json");
    expect(config.body).toEqual({ authMode: "none", clientId: null, authority: null, apiScope: null, pollIntervalMs: 5_000 });
    const me = await ctx.http.get("/v1/me");
    expectContract(me);
    expect(me.body).toEqual({ kind: "anonymous", actor: "anonymous", roles: ["Maintenance.Read", "Maintenance.Book", "Maintenance.Admin"], scope: null });
  });

  it("AUTH_MODE=entra: the page's public sign-in settings, a CSP that allows the authority, and roles from the token", async () => {
    const env = { AUTH_MODE: "entra", AUTH_TENANT_ID: TENANT, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_URL: idp.jwksUrl, UI_CLIENT_ID: PAGE_CLIENT };
    const app = await buildApp({ ...ctx.appDeps, auth: idp.setup(), ui: loadConfig(env).ui });
    await app.ready();
    try {
      const config = await request(app.server).get("/ui-config.json");
      expect(config.body).toEqual({ authMode: "entra", clientId: PAGE_CLIENT, authority: `https://login.microsoftonline.com/${TENANT}`, apiScope: `${AUDIENCE}/.default`, pollIntervalMs: 5_000 });
      const csp = (await request(app.server).get("/")).headers["content-security-policy"];
      expect(csp).toContain("connect-src 'self' https://login.microsoftonline.com;");
      expect(csp).toContain("frame-src https://login.microsoftonline.com;");

      const me = async (token: string) => {
        const res = await request(app.server).get("/v1/me").set("authorization", `Bearer ${token}`);
        expectContract(res);
        return res.body;
      };
      expect(await me(await idp.user(READER))).toEqual({ kind: "user", actor: "alice@contoso.com", roles: ["Maintenance.Read"], scope: null });
      expect((await me(await idp.user(BOOKER))).roles).toEqual(["Maintenance.Read", "Maintenance.Book"]);
      expect((await request(app.server).get("/v1/me")).status).toBe(401);
    } finally {
      await app.close();
    }
  });
});
