import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveWebhookKey } from "../../src/bootstrap/webhook-key.js";
import { loadConfig } from "../../src/config/config.js";
import { parseSecretKey } from "../../src/domain/webhook-secrets.js";

const SUB = "11111111-1111-4111-8111-111111111111";

describe("the webhook secret key", () => {
  it("simulator mode without one: made once under the data folder (0600), then reused", () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "mp-key-")), ".data");
    const logs: string[] = [];
    const first = resolveWebhookKey(loadConfig({}), (m) => logs.push(m), dir);
    expect(parseSecretKey(first!)).not.toBeNull();
    expect(readFileSync(path.join(dir, "webhook-secret-key"), "utf8").trim()).toBe(first);
    expect(statSync(path.join(dir, "webhook-secret-key")).mode & 0o777).toBe(0o600);
    expect(resolveWebhookKey(loadConfig({}), (m) => logs.push(m), dir)).toBe(first);
    expect(logs).toHaveLength(1);
  });

  it("azure mode without one: webhooks are off, said once", () => {
    const logs: string[] = [];
    expect(resolveWebhookKey(loadConfig({ AZURE_SUBSCRIPTION_IDS: SUB, AUTH_MODE: "none" }), (m) => logs.push(m), "/nonexistent")).toBeNull();
    expect(logs.join()).toContain("WEBHOOK_SECRET_KEY");
  });

  it("a configured key wins, in either mode", () => {
    const key = Buffer.alloc(32, 7).toString("base64");
    expect(resolveWebhookKey(loadConfig({ WEBHOOK_SECRET_KEY: key }), () => undefined, "/nonexistent")).toBe(key);
    expect(resolveWebhookKey(loadConfig({ WEBHOOK_SECRET_KEY: key, AZURE_SUBSCRIPTION_IDS: SUB, AUTH_MODE: "none" }), () => undefined, "/nonexistent")).toBe(key);
  });
});
