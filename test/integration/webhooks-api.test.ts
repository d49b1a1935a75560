// The webhook subscription API: created with a secret shown once and stored sealed, listed, rotated, enabled,
// deleted, every write audited; URLs refused at registration by scheme and by address (literal, or what the name
// resolves to); the event catalogue's schemas describe real CloudEvents.
import { randomBytes } from "node:crypto";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { cloudEvent, EVENT_NAMES } from "../../src/domain/events.js";
import type { Resolver } from "../../src/services/webhook-sender.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { expectContract } from "../helpers/openapi.js";
import { FORBIDDEN_ADDRESSES } from "../helpers/webhook-receiver.js";

const answers = new Map<string, string>([["hooks.example.com", "93.184.215.14"]]);
const resolver: Resolver = async (host) => {
  const address = answers.get(host);
  if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  return [{ address, family: address.includes(":") ? 6 : 4 }];
};

describe("webhook subscriptions API", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ webhooks: { key: randomBytes(32), allowInsecure: false, resolver } });
  });
  afterAll(() => ctx?.close());
  const call = async (r: request.Test) => {
    const res = await r;
    expectContract(res);
    return res;
  };
  const create = (body: object) => call(ctx.http.post("/v1/webhook-subscriptions").send(body));

  it("creates a subscription: 201 with the secret once; stored sealed; audited without it", async () => {
    const res = await create({ url: "https://hooks.example.com/mp", eventTypes: ["booking.completed", "booking.completed"], filter: { resourceGroup: "RG-Web" }, description: "ops" });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v1/webhook-subscriptions/${res.body.id}`);
    expect(res.body).toMatchObject({
      url: "https://hooks.example.com/mp", eventTypes: ["booking.completed"], filter: { subscriptionId: null, resourceGroup: "rg-web" }, description: "ops",
      owner: { principalId: "anonymous", actor: "anonymous", scope: null }, state: "active", failingSince: null, previousSecretExpiresAt: null,
    });
    expect(res.body.secret).toMatch(/^whsec_/);
    const secret: string = res.body.secret;

    const one = await call(ctx.http.get(`/v1/webhook-subscriptions/${res.body.id}`));
    expect(one.status).toBe(200);
    expect(one.body.secret).toBeUndefined();
    const { rows } = await ctx.database.db.pool.query(`SELECT secret::text AS s FROM webhook_subscriptions WHERE id = $1`, [res.body.id]);
    expect(rows[0].s).not.toContain(secret.slice(6));
    const audit = await call(ctx.http.get(`/v1/audit-events?targetId=${res.body.id}`));
    expect(audit.body.value.map((e: { action: string }) => e.action)).toEqual(["webhook-subscription.created"]);
    expect(JSON.stringify(audit.body)).not.toContain(secret.slice(6));
  });

  it("lists with cursor pagination", async () => {
    const made = [(await create({ url: "https://hooks.example.com/a" })).body.id, (await create({ url: "https://hooks.example.com/b" })).body.id];
    const seen: string[] = [];
    for (let link: string | null = "/v1/webhook-subscriptions?limit=1"; link; ) {
      const page = await call(ctx.http.get(link));
      expect(page.body.value.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.value.map((s: { id: string }) => s.id));
      link = page.body.nextLink;
    }
    expect(seen).toEqual(expect.arrayContaining(made));
    expect(new Set(seen).size).toBe(seen.length);
    expect((await call(ctx.http.get("/v1/webhook-subscriptions?cursor=bm9wZQ"))).status).toBe(400);
  });

  it("refuses unknown event types", async () => {
    const res = await create({ url: "https://hooks.example.com/x", eventTypes: ["booking.exploded"] });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("validation-failed");
  });

  it.each([
    "http://hooks.example.com/x", "ftp://hooks.example.com/x", "file:///etc/passwd", "ws://hooks.example.com/", "gopher://hooks.example.com/",
    "https://user:pw@hooks.example.com/", "https://unknown.example.net/",
  ])("refuses %s at registration", async (url) => {
    const res = await create({ url });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid-webhook-url", pointer: "/url" });
  });

  it.each(FORBIDDEN_ADDRESSES)("refuses %s (%s) as a literal host and as what a name resolves to", async (address, range) => {
    const literal = await create({ url: `https://${address.includes(":") ? `[${address}]` : address}/hook` });
    expect(literal.status).toBe(400);
    expect(literal.body.code).toBe("invalid-webhook-url");
    const name = `${range.toLowerCase()}-${address.replace(/[^0-9a-f]/gi, "-")}.example.com`;
    answers.set(name, address);
    const named = await create({ url: `https://${name}/hook` });
    expect(named.status).toBe(400);
    expect(named.body.detail).toContain(range);
  });

  it("rotates the secret (the old one signs 24 h more), enables, deletes — each audited", async () => {
    const { body: s } = await create({ url: "https://hooks.example.com/rotate" });
    const rotated = await call(ctx.http.post(`/v1/webhook-subscriptions/${s.id}/rotate-secret`));
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(s.secret);
    const overlap = Date.parse(rotated.body.previousSecretExpiresAt) - Date.now();
    expect(overlap).toBeGreaterThan(23.9 * 3_600_000);
    expect(overlap).toBeLessThanOrEqual(24 * 3_600_000);
    expect((await call(ctx.http.post(`/v1/webhook-subscriptions/${s.id}/enable`))).body.state).toBe("active");
    expect((await call(ctx.http.delete(`/v1/webhook-subscriptions/${s.id}`))).status).toBe(204);
    expect((await call(ctx.http.get(`/v1/webhook-subscriptions/${s.id}`))).status).toBe(404);
    expect((await call(ctx.http.get(`/v1/webhook-subscriptions/${s.id}/deliveries`))).status).toBe(404);
    expect((await call(ctx.http.delete(`/v1/webhook-subscriptions/${s.id}`))).status).toBe(404);
    const audit = await call(ctx.http.get(`/v1/audit-events?targetId=${s.id}`));
    expect(audit.body.value.map((e: { action: string }) => e.action)).toEqual([
      "webhook-subscription.deleted", "webhook-subscription.enabled", "webhook-subscription.secret-rotated", "webhook-subscription.created",
    ]);
  });

  it("answers webhooks-not-configured when the service has no key", async () => {
    const app = await buildApp({ ...ctx.appDeps, webhooks: { key: null, allowInsecure: false } });
    await app.ready();
    try {
      const res = await request(app.server).post("/v1/webhook-subscriptions").send({ url: "https://hooks.example.com/x" });
      expectContract(res);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe("webhooks-not-configured");
      expect(res.body.detail).toContain("WEBHOOK_SECRET_KEY");
    } finally {
      await app.close();
    }
  });

  it("lists every event type with a self-contained JSON Schema that real events meet", async () => {
    const res = await call(ctx.http.get("/v1/event-types"));
    expect(res.body.value.map((t: { name: string }) => t.name)).toEqual(EVENT_NAMES);
    const syncFailed = res.body.value.find((t: { name: string }) => t.name === "sync.failed");
    expect(JSON.stringify(syncFailed.schema)).not.toContain('"$ref"');
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    const validate = ajv.compile(syncFailed.schema);
    const started = await call(ctx.http.post("/v1/sync-runs"));
    const run = await call(ctx.http.get(started.headers.location));
    const event = cloudEvent({
      id: "5b0f7a8e-3f0c-4f7e-9d0a-1c2b3d4e5f60", type: syncFailed.type, source: "/v1/sync-runs", subject: run.body.id, sequence: 1n, time: new Date(), data: { syncRun: run.body },
    });
    expect(validate(event), ajv.errorsText(validate.errors)).toBe(true);
    expect(validate({ ...event, sequence: "1" })).toBe(false);
  });
});
