// Webhook delivery through real Postgres and a local receiver that verifies signatures with `standardwebhooks`:
// only events after the subscription, retries with the same webhook-id, two workers delivering each event once per
// subscription, rotation, disabling, redelivery, and forbidden addresses refused at delivery (DNS that changes
// after registration, literal IPs, redirects).
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvents, type NewEvent } from "../../src/db/outbox-repo.js";
import { cloudEvent } from "../../src/domain/events.js";
import { createMetrics, type MetricEvent } from "../../src/observability/metrics.js";
import { stateCounts } from "../../src/db/metrics-repo.js";
import { startStateGauges } from "../../src/observability/state-gauges.js";
import type { Caller } from "../../src/services/access.js";
import { listDeliveriesPage, redeliver } from "../../src/services/webhook-deliveries.js";
import { createWebhookSender, type Resolver } from "../../src/services/webhook-sender.js";
import { createWebhookSubscription, enableWebhookSubscription, rotateWebhookSecret, type WebhookSettings } from "../../src/services/webhook-subscriptions.js";
import { startDeliveryWorker } from "../../src/services/webhook-worker.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { FORBIDDEN_ADDRESSES, startWebhookReceiver, verifyWebhook, waitFor, type WebhookReceiver } from "../helpers/webhook-receiver.js";

const key = randomBytes(32);
const caller: Caller = { actor: "test", principalId: "test", requestId: null, scope: null };
const local: WebhookSettings = { key, allowInsecure: true };

describe("webhook delivery", () => {
  let database: TestDatabase;
  let receiver: WebhookReceiver;
  const metrics: MetricEvent[] = [];
  beforeAll(async () => {
    database = await createTestDatabase({ max: 20 });
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await database?.drop();
  });
  const pool = () => database.db.pool;

  function worker(o: { allowInsecure?: boolean; resolver?: Resolver; scheduleMs?: number[]; disableAfterMs?: number; concurrency?: number } = {}) {
    const sender = createWebhookSender({ timeoutMs: 2_000, allowInsecure: o.allowInsecure ?? true, resolver: o.resolver });
    const w = startDeliveryWorker(
      { pool: pool(), sender, key, leaseMs: 10_000, metrics: (e) => metrics.push(e), rules: { scheduleMs: o.scheduleMs ?? [50, 50, 50], disableAfterMs: o.disableAfterMs ?? 86_400_000 } },
      { pollIntervalMs: 50, concurrency: o.concurrency ?? 8 },
    );
    return { sender, stop: async () => { await w.stop(); sender.close(); } };
  }

  /** Each test uses its own Azure subscription id, so its subscriptions see only its own events. */
  const scope = () => randomUUID();
  const events = (azureSubscription: string, n: number, subject = randomUUID()): NewEvent[] =>
    Array.from({ length: n }, (_, i) => ({ name: "booking.rescheduled", source: "/v1/bookings", subject, data: { i }, subscriptionId: azureSubscription, resourceGroup: "rg" }));
  const subscribe = (url: string, azureSubscription: string, settings = local) =>
    createWebhookSubscription(pool(), settings, caller, { url, filter: { subscriptionId: azureSubscription } });
  const bodySub = (r: { body: string }) => (JSON.parse(r.body).subject as string);
  const deliveries = async (id: string) => (await listDeliveriesPage(pool(), id, 1000, undefined)).items;
  /** The subscription's delivered deliveries, once there is one. */
  const delivered = (id: string) => waitFor("a delivery", async () => {
    const done = (await deliveries(id)).filter((d) => d.state === "delivered");
    return done.length > 0 && done;
  });

  it("delivers events made after the subscription, signed, as structured CloudEvents", async () => {
    const s = scope();
    const subject = randomUUID();
    await appendEvents(pool(), events(s, 1, subject));
    const { row, secret } = await subscribe(receiver.url, s);
    const [id] = await appendEvents(pool(), events(s, 1, subject));
    const w = worker();
    try {
      const got = await waitFor("the delivery", () => receiver.received.find((r) => JSON.parse(r.body).id === id));
      expect(got.headers["content-type"]).toBe("application/cloudevents+json");
      const verified = verifyWebhook(secret, got);
      const { rows } = await pool().query(`SELECT * FROM outbox_events WHERE id = $1`, [id]);
      expect(verified).toEqual(JSON.parse(JSON.stringify(cloudEvent(rows[0]))));
      expect(verified).toMatchObject({ specversion: "1.0", type: "org.maintenance-planner.booking.rescheduled", subject, sequence: "00000000000000000002" });
      const [d] = await delivered(row.id);
      expect(d).toMatchObject({ id: got.headers["webhook-id"], eventId: id, attempts: 1, lastStatus: 204, lastError: null });
      expect(receiver.received.filter((r) => bodySub(r) === subject)).toHaveLength(1);
    } finally {
      await w.stop();
    }
  });

  it("a receiver answering 503 three times gets the event on the fourth try, with the same webhook-id", async () => {
    const s = scope();
    const subject = randomUUID();
    const tries: string[] = [];
    receiver.respond((r) => (bodySub(r) === subject ? (tries.push(r.headers["webhook-id"]), tries.length <= 3 ? 503 : 200) : 204));
    const { row, secret } = await subscribe(receiver.url, s);
    await appendEvents(pool(), events(s, 1, subject));
    const w = worker({ scheduleMs: [50, 50, 50, 50] });
    try {
      const [d] = await delivered(row.id);
      expect(tries).toHaveLength(4);
      expect(new Set(tries)).toEqual(new Set([d.id]));
      for (const r of receiver.received.filter((x) => bodySub(x) === subject)) expect(verifyWebhook(secret, r).subject).toBe(subject);
      expect(d).toMatchObject({ attempts: 4, lastStatus: 200 });
      const { rows } = await pool().query(`SELECT failing_since FROM webhook_subscriptions WHERE id = $1`, [row.id]);
      expect(rows[0].failing_since).toBeNull();
      expect(metrics.filter((m) => m.type === "webhook-attempt").map((m) => m.type === "webhook-attempt" && m.outcome).slice(-4)).toEqual(["retrying", "retrying", "retrying", "delivered"]);
    } finally {
      await w.stop();
      receiver.respond(() => 204);
    }
  });

  it("two workers on one database deliver each event once per subscription", async () => {
    const s = scope();
    const subs = [await subscribe(receiver.url, s), await subscribe(`${receiver.url}?second`, s)];
    const ids = await appendEvents(pool(), events(s, 150));
    receiver.respond(() => 200);
    const sent = [0, 0];
    const workers = [worker({ concurrency: 4 }), worker({ concurrency: 4 })];
    workers.forEach((w, i) => {
      const send = w.sender.send;
      w.sender.send = (...args) => (sent[i]++, send(...args));
    });
    let stopped = false;
    try {
      const mine = () => receiver.received.filter((r) => ids.includes(JSON.parse(r.body).id));
      const pending = async () => (await pool().query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE event_id = ANY($1::uuid[]) AND state <> 'delivered'`, [ids])).rows[0].n;
      await waitFor("300 deliveries, every one recorded as delivered", async () => (await pending()) === 0 && mine().length >= 300, 60_000);
      // Stopping lets every request in flight finish: a duplicate send, had two workers claimed one delivery, is in by now.
      await Promise.all(workers.map((w) => w.stop()));
      stopped = true;
      const got = mine();
      expect(got).toHaveLength(300);
      expect(new Set(got.map((r) => r.headers["webhook-id"])).size).toBe(300);
      for (const [i, sub] of subs.entries()) {
        const forSub = got.filter((r) => r.path === (i === 0 ? "/hook" : "/hook?second"));
        for (const r of forSub) verifyWebhook(sub.secret, r);
        expect(forSub.map((r) => JSON.parse(r.body).id).sort()).toEqual([...ids].sort());
      }
      expect(sent[0]).toBeGreaterThan(0);
      expect(sent[1]).toBeGreaterThan(0);
    } finally {
      if (!stopped) await Promise.all(workers.map((w) => w.stop()));
      receiver.respond(() => 204);
    }
  });

  it("signs with both secrets during a rotation, so either verifies", async () => {
    const s = scope();
    const { row, secret: old } = await subscribe(receiver.url, s);
    const { secret: fresh } = await rotateWebhookSecret(pool(), local, caller, row.id);
    const [id] = await appendEvents(pool(), events(s, 1));
    const w = worker();
    try {
      const got = await waitFor("the delivery", () => receiver.received.find((r) => JSON.parse(r.body).id === id));
      expect(got.headers["webhook-signature"].split(" ")).toHaveLength(2);
      expect(verifyWebhook(old, got).id).toBe(id);
      expect(verifyWebhook(fresh, got).id).toBe(id);
    } finally {
      await w.stop();
    }
  });

  it("disables a subscription failing longer than WEBHOOK_DISABLE_AFTER (audited); enabled again, it delivers", async () => {
    const s = scope();
    const subject = randomUUID();
    receiver.respond((r) => (bodySub(r) === subject ? 500 : 204));
    const { row } = await subscribe(receiver.url, s);
    await appendEvents(pool(), events(s, 1, subject));
    const w = worker({ scheduleMs: Array(1000).fill(30), disableAfterMs: 300 });
    try {
      await waitFor("disabled", async () => (await pool().query(`SELECT state FROM webhook_subscriptions WHERE id = $1`, [row.id])).rows[0].state === "disabled");
      const { rows: audit } = await pool().query(`SELECT actor, after FROM audit_events WHERE target_id = $1 AND action = 'webhook-subscription.disabled'`, [row.id]);
      expect(audit).toHaveLength(1);
      expect(audit[0].actor).toBe("system:deliver");
      const attempts = receiver.received.filter((r) => bodySub(r) === subject).length;
      // Its delivery stays due every 30 ms; an event of another subscription, appended now, is due later. Once the
      // worker has delivered that one, it has claimed past the disabled subscription's delivery — and sent nothing for it.
      const other = scope();
      await subscribe(receiver.url, other);
      const [later] = await appendEvents(pool(), events(other, 1));
      await waitFor("a later event of another subscription delivered", () => receiver.received.some((r) => JSON.parse(r.body).id === later));
      expect(receiver.received.filter((r) => bodySub(r) === subject).length).toBe(attempts);
      receiver.respond(() => 204);
      await enableWebhookSubscription(pool(), { actor: "test", requestId: null }, row.id);
      await waitFor("delivered", async () => (await deliveries(row.id)).some((d) => d.state === "delivered"));
    } finally {
      await w.stop();
      receiver.respond(() => 204);
    }
  });

  it("a secret sealed under another key fails visibly; rotated under the key in use, it delivers", async () => {
    const s = scope();
    const { row } = await subscribe(receiver.url, s, { key: randomBytes(32), allowInsecure: true });
    const [id] = await appendEvents(pool(), events(s, 1));
    const w = worker({ scheduleMs: [] });
    try {
      const [d] = await waitFor("failed", async () => {
        const got = await deliveries(row.id);
        return got.length === 1 && got[0].state === "failed" && got;
      });
      expect(d.lastError).toContain("another WEBHOOK_SECRET_KEY");
      const { secret } = await rotateWebhookSecret(pool(), local, caller, row.id);
      await redeliver(pool(), { actor: "test", requestId: null }, row.id, d.id);
      const got = await waitFor("the delivery", () => receiver.received.find((r) => JSON.parse(r.body).id === id));
      expect(got.headers["webhook-signature"].split(" ")).toHaveLength(1);
      expect(verifyWebhook(secret, got).id).toBe(id);
    } finally {
      await w.stop();
    }
  });

  it("redelivers on request, with the same webhook-id", async () => {
    const s = scope();
    const { row } = await subscribe(receiver.url, s);
    const [id] = await appendEvents(pool(), events(s, 1));
    const w = worker();
    try {
      const [d] = await delivered(row.id);
      await redeliver(pool(), { actor: "test", requestId: null }, row.id, d.id);
      const both = await waitFor("a second copy", () => {
        const got = receiver.received.filter((r) => JSON.parse(r.body).id === id);
        return got.length === 2 && got;
      });
      expect(both.map((r) => r.headers["webhook-id"])).toEqual([d.id, d.id]);
    } finally {
      await w.stop();
    }
  });

  it("reports the outbox backlog, its oldest undelivered event, and attempts by outcome on /metrics", async () => {
    const registry = createMetrics();
    const gauges = startStateGauges(registry, stateCounts(database.db.prisma, pool()), { intervalMs: 60_000 });
    const value = async (name: string, labels = "") => {
      await gauges.refresh();
      const line = (await registry.registry.metrics()).split("\n").find((l) => l.startsWith(`${name}${labels} `));
      return line === undefined ? undefined : Number(line.split(" ")[1]);
    };
    try {
      const s = scope();
      await subscribe(receiver.url, s);
      const backlog = (await value("maintenance_planner_outbox_backlog", '{stage="fan-out"}'))!;
      const ids = await appendEvents(pool(), events(s, 3));
      expect(await value("maintenance_planner_outbox_backlog", '{stage="fan-out"}')).toBe(backlog + 3);
      expect(await value("maintenance_planner_outbox_oldest_undelivered_age_seconds")).toBeGreaterThanOrEqual(0);
      const w = worker();
      try {
        await waitFor("delivered", async () => (await pool().query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE event_id = ANY($1::uuid[]) AND state = 'delivered'`, [ids])).rows[0].n === 3);
      } finally {
        await w.stop();
      }
      expect(await value("maintenance_planner_outbox_backlog", '{stage="fan-out"}')).toBe(0);
      expect(await value("maintenance_planner_outbox_backlog", '{stage="delivery"}')).toBe(0);
      expect(await value("maintenance_planner_outbox_oldest_undelivered_age_seconds")).toBe(0);
      for (const e of metrics) registry.apply(e);
      expect(await value("maintenance_planner_webhook_attempts_total", '{outcome="delivered"}')).toBeGreaterThanOrEqual(3);
      expect(await value("maintenance_planner_webhook_delivery_latency_seconds_count")).toBeGreaterThanOrEqual(3);
    } finally {
      gauges.stop();
    }
  });

  describe("at delivery, forbidden addresses are refused on the address actually connected to", () => {
    const failedAll = async (ids: string[]) =>
      waitFor("every delivery failed", async () => {
        const { rows } = await pool().query(`SELECT webhook_subscription_id AS id, state, last_status, last_error FROM webhook_deliveries WHERE webhook_subscription_id = ANY($1::uuid[])`, [ids]);
        return rows.length === ids.length && rows.every((r) => r.state === "failed") && rows;
      }, 30_000);

    it("when a name that resolved to a public address at registration resolves to a forbidden one", async () => {
      const s = scope();
      const answers = new Map<string, string>();
      const resolver: Resolver = async (host) => [{ address: answers.get(host)!, family: answers.get(host)!.includes(":") ? 6 : 4 }];
      const secure: WebhookSettings = { key, allowInsecure: false, resolver };
      const subs: { id: string; range: string }[] = [];
      for (const [i, [address, range]] of FORBIDDEN_ADDRESSES.entries()) {
        const host = `rebind-${i}.example.com`;
        answers.set(host, "93.184.215.14");
        subs.push({ id: (await subscribe(`https://${host}:${receiver.port}/hook`, s, secure)).row.id, range });
        answers.set(host, address);
      }
      await appendEvents(pool(), events(s, 1));
      const w = worker({ allowInsecure: false, resolver, scheduleMs: [] });
      try {
        const rows = await failedAll(subs.map((x) => x.id));
        for (const sub of subs) {
          const r = rows.find((x: { id: string }) => x.id === sub.id);
          expect(r.last_status).toBeNull();
          expect(r.last_error).toMatch(new RegExp(`^refused: .* a ${sub.range} address`));
        }
      } finally {
        await w.stop();
      }
    });

    it("for literal IPs, plain http, and redirects (never followed)", async () => {
      const s = scope();
      const urls = [
        ...FORBIDDEN_ADDRESSES.map(([a]) => `https://${a.includes(":") ? `[${a}]` : a}:${receiver.port}/hook`),
        `http://hooks.example.com:${receiver.port}/hook`,
      ];
      // Registered while the rules were lifted (WEBHOOK_ALLOW_INSECURE=true), delivered by a replica without it.
      const subs = await Promise.all(urls.map(async (url) => (await subscribe(url, s)).row.id));
      const before = receiver.received.length;
      await appendEvents(pool(), events(s, 1));
      const strict = worker({ allowInsecure: false, resolver: async () => [{ address: "93.184.215.14", family: 4 }], scheduleMs: [] });
      try {
        const rows = await failedAll(subs);
        for (const r of rows) {
          expect(r.last_status).toBeNull();
          expect(r.last_error).toMatch(/^refused: /);
        }
        expect(receiver.received.length).toBe(before);
      } finally {
        await strict.stop();
      }
    });

    it("never following a redirect: a 3xx is a failed attempt", async () => {
      const s = scope();
      const redirect = await subscribe(`${receiver.url}?redirect`, s);
      receiver.respond((r) => (r.path === "/hook?redirect" ? 302 : 204));
      await appendEvents(pool(), events(s, 1));
      const w = worker({ scheduleMs: [] });
      try {
        const [row] = await failedAll([redirect.row.id]);
        expect(row.last_status).toBe(302);
        expect(receiver.received.filter((r) => r.path === "/hook?redirect")).toHaveLength(1);
        expect(receiver.received.filter((r) => r.path.includes("redirected"))).toHaveLength(0);
      } finally {
        await w.stop();
        receiver.respond(() => 204);
      }
    });
  });
});

