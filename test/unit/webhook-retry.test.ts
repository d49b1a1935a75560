import { describe, expect, it } from "vitest";
import { afterFailure, isDelivered, retryDelayMs, type WebhookRetryRules } from "../../src/domain/webhook-retry.js";
import { loadConfig } from "../../src/config/config.js";

const rules: WebhookRetryRules = { scheduleMs: [5_000, 30_000, 120_000], disableAfterMs: 3 * 86_400_000 };
const now = new Date("2026-11-28T12:00:00Z");

describe("webhook retry rules", () => {
  it("takes the n-th delay of the schedule after the n-th failed attempt, spread ±20%", () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, rules, 0.5))).toEqual([5_000, 30_000, 120_000]);
    expect(retryDelayMs(1, rules, 0)).toBe(4_000);
    expect(retryDelayMs(1, rules, 1)).toBe(6_000);
  });

  it("gives up when the schedule is used up", () => {
    expect(retryDelayMs(4, rules, 0.5)).toBeNull();
    expect(afterFailure(4, now, now, rules, 0.5)).toEqual({ nextAttemptAt: null, disable: false });
  });

  it("plans the next attempt from now", () => {
    expect(afterFailure(2, now, now, rules, 0.5).nextAttemptAt).toEqual(new Date(now.getTime() + 30_000));
  });

  it("disables a subscription that has failed for WEBHOOK_DISABLE_AFTER, and not a moment before", () => {
    const since = (ms: number) => new Date(now.getTime() - ms);
    expect(afterFailure(1, since(rules.disableAfterMs - 1), now, rules, 0.5).disable).toBe(false);
    expect(afterFailure(1, since(rules.disableAfterMs), now, rules, 0.5).disable).toBe(true);
  });

  it.each([[200, true], [204, true], [299, true], [300, false], [302, false], [404, false], [503, false], [null, false]])("status %s delivered: %s", (status, ok) => {
    expect(isDelivered(status)).toBe(ok);
  });

  it("reads its defaults and tiny test schedules from config", () => {
    const d = loadConfig({}).webhooks;
    expect(d.retryScheduleMs).toEqual([5e3, 30e3, 120e3, 600e3, 1800e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 6 * 3600e3, 6 * 3600e3]);
    expect(d).toMatchObject({ disableAfterMs: 3 * 86_400_000, timeoutMs: 10_000, allowInsecure: false, secretKey: null });
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: "0s,50ms", WEBHOOK_ALLOW_INSECURE: "true" }).webhooks).toMatchObject({ retryScheduleMs: [0, 50], allowInsecure: true });
  });

  it.each([
    [{ WEBHOOK_RETRY_SCHEDULE: "5s,soon" }, "WEBHOOK_RETRY_SCHEDULE"],
    [{ WEBHOOK_SECRET_KEY: "c2hvcnQ=" }, "WEBHOOK_SECRET_KEY"],
    [{ WEBHOOK_ALLOW_INSECURE: "yes" }, "WEBHOOK_ALLOW_INSECURE"],
    [{ WEBHOOK_TIMEOUT: "0s" }, "WEBHOOK_TIMEOUT"],
  ])("refuses %o naming %s", (env, variable) => {
    expect(() => loadConfig(env)).toThrow(variable);
  });
});
