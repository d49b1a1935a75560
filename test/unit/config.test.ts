import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { parseDuration } from "../../src/domain/duration.js";

const SUB = "11111111-1111-4111-8111-111111111111";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

describe("parseDuration", () => {
  it("reads the units used in docs", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("2d")).toBe(172_800_000);
  });
  it("refuses anything else", () => {
    for (const bad of ["10", "1.5h", "-1s", "10 minutes", "", "1w"]) expect(parseDuration(bad)).toBeNull();
  });
});

describe("loadConfig", () => {
  it("defaults to the simulator on a laptop", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ azureMode: "simulator", port: 3000, host: "127.0.0.1", syncIntervalMs: 600_000, databaseUrl: null, armEndpoint: "https://management.azure.com" });
    expect(c).toMatchObject({ syncSweepIntervalMs: 6 * 3_600_000, simulatorScenario: null, simulatorOperationDurationMs: 120_000 });
    expect(Object.isFrozen(c)).toBe(true);
  });
  it("switches to azure when subscriptions are configured", () => {
    const c = loadConfig({ AZURE_SUBSCRIPTION_IDS: ` ${SUB.toUpperCase()}, ${SUB}`, AUTH_MODE: "none" });
    expect(c.azureMode).toBe("azure");
    expect(c.subscriptionIds).toEqual([SUB]);
  });
  it.each([
    [{ PORT: "70000" }, "PORT"],
    [{ PORT: "abc" }, "PORT"],
    [{ SYNC_INTERVAL: "10" }, "SYNC_INTERVAL"],
    [{ SYNC_SWEEP_INTERVAL: "6 hours" }, "SYNC_SWEEP_INTERVAL"],
    [{ SIMULATOR_OPERATION_DURATION: "0s" }, "SIMULATOR_OPERATION_DURATION"],
    [{ AZURE_MODE: "cloud" }, "AZURE_MODE"],
    [{ AZURE_MODE: "azure" }, "AZURE_SUBSCRIPTION_IDS"],
    [{ AZURE_SUBSCRIPTION_IDS: "not-a-guid" }, "AZURE_SUBSCRIPTION_IDS"],
    [{ AZURE_ARM_ENDPOINT: "http://127.0.0.1:8443" }, "AZURE_ARM_ENDPOINT"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ AZURE_SUBSCRIPTION_IDS: SUB }, "AUTH_AUDIENCE"],
    [{ AUTH_MODE: "entra", AUTH_TENANT_ID: TENANT }, "AUTH_AUDIENCE"],
    [{ AUTH_MODE: "entra", AUTH_AUDIENCE: "api://mp" }, "AUTH_TENANT_ID"],
    [{ AUTH_MODE: "entra", AUTH_AUDIENCE: "api://mp", AUTH_TENANT_ID: "a/b" }, "AUTH_TENANT_ID"],
    [{ AUTH_MODE: "entra", AUTH_AUDIENCE: "api://mp", AUTH_TENANT_ID: TENANT, AUTH_JWKS_URL: "http://login.example.com/keys" }, "AUTH_JWKS_URL"],
    [{ AUTH_MODE: "entra", AUTH_AUDIENCE: "api://mp", AUTH_TENANT_ID: TENANT, AUTH_CLOCK_SKEW: "1 minute" }, "AUTH_CLOCK_SKEW"],
    [{ AUTH_MODE: "open" }, "AUTH_MODE"],
    [{ RATE_LIMIT_PER_MINUTE: "0" }, "RATE_LIMIT_PER_MINUTE"],
    [{ DATABASE_MIGRATION_URL: "postgresql://owner@db/mp" }, "DATABASE_MIGRATION_URL"],
    [{ DATABASE_URL: "postgresql://app@db/mp", DATABASE_MIGRATION_URL: "mysql://owner@db/mp" }, "DATABASE_MIGRATION_URL"],
    [{ DATABASE_POOL_TIMEOUT: "0s" }, "DATABASE_POOL_TIMEOUT"],
    [{ METRICS_PORT: "http" }, "METRICS_PORT"],
    [{ METRICS_REFRESH_INTERVAL: "15" }, "METRICS_REFRESH_INTERVAL"],
    [{ AUTH_MODE: "entra", AUTH_AUDIENCE: "api://mp", AUTH_TENANT_ID: TENANT, AUTH_GROUP_SOURCE: "ldap" }, "AUTH_GROUP_SOURCE"],
    [{ AUTH_MODE: "entra", AUTH_AUDIENCE: "api://mp", AUTH_TENANT_ID: TENANT, AUTH_GRAPH_URL: "http://graph.example.com" }, "AUTH_GRAPH_URL"],
    [{ AUTH_MODE: "entra", AUTH_AUDIENCE: "api://mp", AUTH_TENANT_ID: TENANT, AUTH_GROUP_CACHE_TTL: "5" }, "AUTH_GROUP_CACHE_TTL"],
    [{ AUTH_MODE: "entra", AUTH_AUDIENCE: "api://mp", AUTH_TENANT_ID: TENANT, UI_CLIENT_ID: "page" }, "UI_CLIENT_ID"],
    [{ AUTH_MODE: "entra", AUTH_AUDIENCE: "api://mp", AUTH_TENANT_ID: TENANT, UI_AUTHORITY: "http://login.example.com/t" }, "UI_AUTHORITY"],
    [{ AUTH_MODE: "entra", AUTH_AUDIENCE: "api://mp", AUTH_ISSUER: "https://idp.test/a", AUTH_JWKS_URL: "https://idp.test/keys", UI_CLIENT_ID: TENANT }, "UI_AUTHORITY"],
    [{ DEADLINE_WARNINGS: "7d,soon" }, "DEADLINE_WARNINGS"],
    [{ DEADLINE_WARNINGS: "0s" }, "DEADLINE_WARNINGS"],
    [{ PUBLIC_BASE_URL: "planner.contoso.com" }, "PUBLIC_BASE_URL"],
    [{ PUBLIC_BASE_URL: "ftp://planner.contoso.com" }, "PUBLIC_BASE_URL"],
    [{ PUBLIC_BASE_URL: "https://planner.contoso.com/?x=1" }, "PUBLIC_BASE_URL"],
    [{ OUTBOX_RETENTION: "30 days" }, "OUTBOX_RETENTION"],
    [{ IDEMPOTENCY_KEY_RETENTION: "0d" }, "IDEMPOTENCY_KEY_RETENTION"],
  ])("refuses %o naming %s", (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toContain(variable);
  });
});

describe("loadConfig: events and links", () => {
  it("warns 7d, 2d and 12h before a deadline by default, widest first, one spelling per length", () => {
    expect(loadConfig({}).deadlineWarnings).toEqual([{ label: "7d", ms: 7 * 86_400_000 }, { label: "2d", ms: 2 * 86_400_000 }, { label: "12h", ms: 12 * 3_600_000 }]);
    expect(loadConfig({ DEADLINE_WARNINGS: "12h, 48h,2d" }).deadlineWarnings.map((w) => w.label)).toEqual(["2d", "12h"]);
    expect(loadConfig({ DEADLINE_WARNINGS: "none" }).deadlineWarnings).toEqual([]);
  });
  it("keeps the outbox 30 days and idempotency records 7 days unless OUTBOX_RETENTION / IDEMPOTENCY_KEY_RETENTION say otherwise", () => {
    expect(loadConfig({}).retention).toEqual({ outboxMs: 30 * 86_400_000, idempotencyKeyMs: 7 * 86_400_000 });
    expect(loadConfig({ OUTBOX_RETENTION: "90d", IDEMPOTENCY_KEY_RETENTION: "36h" }).retention).toEqual({ outboxMs: 90 * 86_400_000, idempotencyKeyMs: 36 * 3_600_000 });
  });
  it("links relatively unless a public base URL is set (kept without its trailing slash)", () => {
    expect(loadConfig({}).publicBaseUrl).toBeNull();
    expect(loadConfig({ PUBLIC_BASE_URL: "https://planner.contoso.com/mp/" }).publicBaseUrl).toBe("https://planner.contoso.com/mp");
  });
});

describe("loadConfig: authentication", () => {
  it("needs no token in the simulator; anonymous access elsewhere only when asked for", () => {
    expect(loadConfig({})).toMatchObject({ authMode: "none", entra: null, rateLimitPerMinute: 600 });
    expect(loadConfig({ AZURE_SUBSCRIPTION_IDS: SUB, AUTH_MODE: "none" }).authMode).toBe("none");
  });
  it("derives the Entra v2 key set and both issuers from the tenant", () => {
    const c = loadConfig({ AZURE_SUBSCRIPTION_IDS: SUB, AUTH_TENANT_ID: TENANT, AUTH_AUDIENCE: "api://mp, 0f0e0d0c-0000-4000-8000-000000000001" });
    expect(c.authMode).toBe("entra");
    expect(c.entra).toEqual({
      tenantId: TENANT,
      audiences: ["api://mp", "0f0e0d0c-0000-4000-8000-000000000001"],
      issuers: [`https://login.microsoftonline.com/${TENANT}/v2.0`, `https://sts.windows.net/${TENANT}/`],
      jwksUrl: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
      clockSkewSeconds: 60,
      groups: { source: "claim-or-graph", graphUrl: "https://graph.microsoft.com", graphToken: null, cacheTtlMs: 300_000 },
    });
  });
  it("takes explicit issuers and key set (http only on this machine) without a tenant", () => {
    const c = loadConfig({ AUTH_MODE: "entra", AUTH_AUDIENCE: "api://mp", AUTH_ISSUER: "https://idp.test/a,https://idp.test/b", AUTH_JWKS_URL: "http://127.0.0.1:9/keys", AUTH_CLOCK_SKEW: "5s" });
    expect(c.entra).toMatchObject({ tenantId: null, issuers: ["https://idp.test/a", "https://idp.test/b"], jwksUrl: "http://127.0.0.1:9/keys", clockSkewSeconds: 5 });
  });
});

describe("loadConfig: the page's sign-in", () => {
  const entra = { AUTH_MODE: "entra", AUTH_AUDIENCE: "api://mp/, 0f0e0d0c-0000-4000-8000-000000000001", AUTH_TENANT_ID: TENANT };
  it("signs in against the API's tenant for the API's first audience", () => {
    const page = "0a0b0c0d-0000-4000-8000-000000000002";
    expect(loadConfig({ ...entra, UI_CLIENT_ID: page }).ui).toEqual({ clientId: page, authority: `https://login.microsoftonline.com/${TENANT}`, apiScope: "api://mp/.default", pollIntervalMs: 5_000 });
  });
  it("takes an explicit authority and scope (sovereign clouds, a named scope)", () => {
    const c = loadConfig({ ...entra, UI_AUTHORITY: "https://login.microsoftonline.us/contoso.onmicrosoft.us/", UI_API_SCOPE: "api://mp/access_as_user" });
    expect(c.ui).toEqual({ clientId: null, authority: "https://login.microsoftonline.us/contoso.onmicrosoft.us", apiScope: "api://mp/access_as_user", pollIntervalMs: 5_000 });
  });
  it("is empty without Entra", () => {
    expect(loadConfig({ UI_CLIENT_ID: TENANT }).ui).toEqual({ clientId: null, authority: null, apiScope: null, pollIntervalMs: 5_000 });
  });
  it("polls every UI_POLL_INTERVAL while the event stream is down", () => {
    expect(loadConfig({ UI_POLL_INTERVAL: "30s" }).ui.pollIntervalMs).toBe(30_000);
  });
});
