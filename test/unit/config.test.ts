import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { parseDuration } from "../../src/domain/duration.js";

const SUB = "11111111-1111-4111-8111-111111111111";

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
    expect(Object.isFrozen(c)).toBe(true);
  });
  it("switches to azure when subscriptions are configured", () => {
    const c = loadConfig({ AZURE_SUBSCRIPTION_IDS: ` ${SUB.toUpperCase()}, ${SUB}` });
    expect(c.azureMode).toBe("azure");
    expect(c.subscriptionIds).toEqual([SUB]);
  });
  it.each([
    [{ PORT: "70000" }, "PORT"],
    [{ PORT: "abc" }, "PORT"],
    [{ SYNC_INTERVAL: "10" }, "SYNC_INTERVAL"],
    [{ AZURE_MODE: "cloud" }, "AZURE_MODE"],
    [{ AZURE_MODE: "azure" }, "AZURE_SUBSCRIPTION_IDS"],
    [{ AZURE_SUBSCRIPTION_IDS: "not-a-guid" }, "AZURE_SUBSCRIPTION_IDS"],
    [{ AZURE_ARM_ENDPOINT: "http://127.0.0.1:8443" }, "AZURE_ARM_ENDPOINT"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
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
