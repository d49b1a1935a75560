// Signing in to the page with AUTH_MODE=entra: MSAL in Chromium runs the authorization code flow with PKCE against
// a stand-in for Entra (answered inside the browser by Playwright's routing: this machine reaches no Entra), the
// answer comes back through /auth-redirect.html, and the access token — signed by the test identity provider
// whose keys the service trusts — carries the roles. A reader is offered no booking; a booker is.
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Browser, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type App } from "../../src/app.js";
import { loadConfig } from "../../src/config/config.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { ADMIN, AUDIENCE, BOOKER, READER, TENANT, startTestIdentityProvider, type TestIdentityProvider } from "../helpers/auth.js";
import { DAY, selfServiceWindow, vmFixtures } from "../helpers/bookings.js";
import { launchBrowser, openPage } from "../helpers/browser.js";

const PAGE_CLIENT = "0a0b0c0d-0000-4000-8000-000000000002";
const LOGIN = "https://login.microsoftonline.com";
const OID = "0a1b2c3d-0000-4000-8000-000000000001";
const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

describe("page sign-in with Entra ID (MSAL, authorization code + PKCE)", () => {
  let idp: TestIdentityProvider;
  let ctx: TestContext;
  let app: App;
  let browser: Browser;
  let base: string;
  const vms = vmFixtures(() => ctx);

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 4, seed: 8 } }, auth: idp.setup(), token: await idp.app(ADMIN) });
    await vms(2, () => selfServiceWindow(-DAY, 20 * DAY));
    const ui = loadConfig({ AUTH_MODE: "entra", AUTH_TENANT_ID: TENANT, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_URL: idp.jwksUrl, UI_CLIENT_ID: PAGE_CLIENT }).ui;
    app = await buildApp({ ...ctx.appDeps, ui });
    await app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await ctx?.close();
    await idp?.close();
  });

  /** Entra's endpoints, for one user holding `roles`. Records what the page sent. */
  function fakeEntra(roles: string[]) {
    const seen: { authorize?: URLSearchParams; token?: URLSearchParams } = {};
    let challenge = "";
    let nonce = "";
    const handler = async (route: Route) => {
      const url = new URL(route.request().url());
      const json = (body: unknown) => route.fulfill({ status: 200, contentType: "application/json", headers: { "access-control-allow-origin": "*" }, body: JSON.stringify(body) });
      if (url.pathname.endsWith("/.well-known/openid-configuration")) {
        return json({
          issuer: `${LOGIN}/${TENANT}/v2.0`, authorization_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/authorize`, token_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/token`,
          end_session_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/logout`, jwks_uri: `${LOGIN}/${TENANT}/discovery/v2.0/keys`, response_modes_supported: ["query", "fragment", "form_post"],
        });
      }
      if (url.pathname.endsWith("/discovery/instance")) {
        return json({ tenant_discovery_endpoint: `${LOGIN}/${TENANT}/v2.0/.well-known/openid-configuration`, metadata: [{ preferred_network: "login.microsoftonline.com", preferred_cache: "login.windows.net", aliases: ["login.microsoftonline.com", "login.windows.net"] }] });
      }
      if (url.pathname.endsWith("/oauth2/v2.0/authorize")) {
        seen.authorize = url.searchParams;
        challenge = url.searchParams.get("code_challenge") ?? "";
        nonce = url.searchParams.get("nonce") ?? "";
        const answer = new URLSearchParams({ code: "the-code", state: url.searchParams.get("state") ?? "", client_info: b64url(JSON.stringify({ uid: OID, utid: TENANT })) });
        const separator = url.searchParams.get("response_mode") === "query" ? "?" : "#";
        return route.fulfill({ status: 302, headers: { location: `${url.searchParams.get("redirect_uri")}${separator}${answer}` } });
      }
      if (url.pathname.endsWith("/oauth2/v2.0/token")) {
        const form = new URLSearchParams(route.request().postData() ?? "");
        seen.token = form;
        // PKCE: the verifier must hash to the challenge sent with the authorization request.
        if (b64url(createHash("sha256").update(form.get("code_verifier") ?? "").digest()) !== challenge || form.get("code") !== "the-code") {
          return route.fulfill({ status: 400, contentType: "application/json", headers: { "access-control-allow-origin": "*" }, body: JSON.stringify({ error: "invalid_grant" }) });
        }
        const idToken = await idp.sign({ oid: OID, sub: "subject-1", name: "Alice", preferred_username: "alice@contoso.com", nonce }, { audience: PAGE_CLIENT });
        return json({
          token_type: "Bearer", scope: `${AUDIENCE}/.default`, expires_in: 3600, ext_expires_in: 3600,
          access_token: await idp.user(roles), id_token: idToken, refresh_token: "refresh", client_info: b64url(JSON.stringify({ uid: OID, utid: TENANT })),
        });
      }
      return route.fulfill({ status: 404, body: "" });
    };
    return { seen, handler };
  }

  async function signIn(roles: string[]) {
    const { context, page, problems } = await openPage(browser);
    const entra = fakeEntra(roles);
    await context.route(`${LOGIN}/**`, entra.handler);
    await page.goto(`${base}/`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator(".rows-inner li.row").first().waitFor({ timeout: 20_000 });
    return { context, page, problems, seen: entra.seen };
  }

  it("signs in with the authorization code flow and PKCE, then calls the API with the token; a reader is offered no booking", async () => {
    const { context, page, problems, seen } = await signIn(READER);
    expect(seen.authorize?.get("client_id")).toBe(PAGE_CLIENT);
    expect(seen.authorize?.get("response_type")).toBe("code");
    expect(seen.authorize?.get("code_challenge_method")).toBe("S256");
    expect(seen.authorize?.get("redirect_uri")).toBe(`${base}/auth-redirect.html`);
    expect(seen.authorize?.get("scope")).toContain(`${AUDIENCE}/.default`);
    expect(seen.token?.get("grant_type")).toBe("authorization_code");
    await expect.poll(() => page.locator(".who").textContent()).toContain("alice@contoso.com · read only");
    expect(await page.locator(".rows-inner input[type=checkbox]").count()).toBe(0);
    await page.locator(".rows-inner .vm-name").first().click();
    await page.locator(".panel h2").waitFor();
    expect(await page.locator(".panel form.book-form").count()).toBe(0);
    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it("a booker is offered booking", async () => {
    const { context, page } = await signIn(BOOKER);
    await expect.poll(() => page.locator(".who").textContent()).toContain("may book");
    expect(await page.locator(".rows-inner input[type=checkbox]").count()).toBeGreaterThan(0);
    await context.close();
  });
});
