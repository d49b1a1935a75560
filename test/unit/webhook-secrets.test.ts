import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { newWebhookSecret, openSecret, parseSecretKey, sealSecret, signatureHeader } from "../../src/domain/webhook-secrets.js";
import { wantsEvent, type SubscriptionInterest } from "../../src/domain/webhook-matching.js";

const headers = (id: string, ts: number, sig: string) => ({ "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": sig });

describe("webhook secrets", () => {
  it("signs so that the standardwebhooks library verifies, with either secret during a rotation", () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const ts = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ hello: "wörld" });
    const both = signatureHeader([b, a], "msg_1", ts, body);
    expect(both.split(" ")).toHaveLength(2);
    expect(new Webhook(a).verify(body, headers("msg_1", ts, both))).toEqual({ hello: "wörld" });
    expect(new Webhook(b).verify(body, headers("msg_1", ts, both))).toEqual({ hello: "wörld" });
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers("msg_1", ts, both))).toThrow();
    expect(() => new Webhook(a).verify(body + " ", headers("msg_1", ts, both))).toThrow();
  });

  it("seals a secret so that only the key, for the same subscription, opens it", () => {
    const key = randomBytes(32);
    const secret = newWebhookSecret();
    const sealed = sealSecret(key, secret, "sub-1");
    expect(sealed).not.toContain(secret.slice(6));
    expect(openSecret(key, sealed, "sub-1")).toBe(secret);
    expect(() => openSecret(randomBytes(32), sealed, "sub-1")).toThrow();
    expect(() => openSecret(key, sealed, "sub-2")).toThrow();
  });

  it("takes only a 32-byte base64 key", () => {
    expect(parseSecretKey(randomBytes(32).toString("base64"))).toHaveLength(32);
    expect(parseSecretKey(randomBytes(16).toString("base64"))).toBeNull();
    expect(parseSecretKey("not base64!")).toBeNull();
  });
});

describe("which subscriptions want an event", () => {
  const created = new Date("2026-11-28T12:00:00Z");
  const sub = (o: Partial<SubscriptionInterest> = {}): SubscriptionInterest => ({
    eventTypes: [], filterSubscriptionId: null, filterResourceGroup: null, ownerScope: null, createdAt: created, ...o,
  });
  const event = (o: Partial<{ type: string; subscriptionId: string | null; resourceGroup: string | null; time: Date }> = {}) => ({
    type: "org.maintenance-planner.booking.created", subscriptionId: "11111111-1111-4111-8111-111111111111".toUpperCase(), resourceGroup: "RG-Web", time: new Date(created.getTime() + 1), ...o,
  });

  it("only events made after the subscription", () => {
    expect(wantsEvent(sub(), event({ time: created }))).toBe(true);
    expect(wantsEvent(sub(), event({ time: new Date(created.getTime() - 1) }))).toBe(false);
  });

  it("by short type name", () => {
    expect(wantsEvent(sub({ eventTypes: ["booking.created"] }), event())).toBe(true);
    expect(wantsEvent(sub({ eventTypes: ["booking.completed"] }), event())).toBe(false);
  });

  it("by subscription and resource group, case-insensitively; events about no VM match no filter", () => {
    expect(wantsEvent(sub({ filterSubscriptionId: "11111111-1111-4111-8111-111111111111", filterResourceGroup: "rg-web" }), event())).toBe(true);
    expect(wantsEvent(sub({ filterResourceGroup: "rg-db" }), event())).toBe(false);
    expect(wantsEvent(sub({ filterSubscriptionId: "11111111-1111-4111-8111-111111111111" }), event({ subscriptionId: null, resourceGroup: null }))).toBe(false);
    expect(wantsEvent(sub(), event({ subscriptionId: null, resourceGroup: null }))).toBe(true);
  });

  it("never beyond the owner's scope", () => {
    const scoped = sub({ ownerScope: [{ subscriptionId: "11111111-1111-4111-8111-111111111111", resourceGroup: "rg-web", resourceGroupKey: "RG-WEB" }] });
    expect(wantsEvent(scoped, event())).toBe(true);
    expect(wantsEvent(scoped, event({ resourceGroup: "rg-db" }))).toBe(false);
    expect(wantsEvent(scoped, event({ subscriptionId: null, resourceGroup: null }))).toBe(false);
  });
});
