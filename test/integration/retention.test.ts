// Retention (services/retention.ts) against real Postgres: what goes past OUTBOX_RETENTION and
// IDEMPOTENCY_KEY_RETENTION and what stays (events with pending deliveries, recent rows), per-subject sequences
// after pruning, a replayed Idempotency-Key once its record is gone, and the event stream's 410 for a resume
// point whose successors were pruned.
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { numberEvents } from "../../src/db/event-stream-repo.js";
import { appendEvents } from "../../src/db/outbox-repo.js";
import { pruneExpired } from "../../src/services/retention.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { DAY, HOUR, fromNow, selfServiceWindow, vmFixtures, type FixtureVm } from "../helpers/bookings.js";
import { openEventStream } from "../helpers/event-stream.js";

const settings = { outboxMs: 30 * DAY, idempotencyKeyMs: 7 * DAY };

describe("retention", () => {
  let ctx: TestContext;
  let vms: FixtureVm[];
  const pool = () => ctx.database.db.pool;
  beforeAll(async () => {
    ctx = await createTestContext({
      simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 4, scaleSetsPerSubscription: 0, seed: 7 } },
      bookingPolicy: { minLeadSeconds: 0, endMarginSeconds: 0 },
    });
    vms = await vmFixtures(() => ctx)(2, () => selfServiceWindow(-DAY, 5 * DAY));
  });
  afterAll(() => ctx?.close());

  /** Appends one event per subject; returns their ids by subject. */
  const append = async (subjects: string[]) => {
    const ids = await appendEvents(pool(), subjects.map((subject) => ({ name: "sync.failed", source: "/v1/sync-runs", subject, data: {}, subscriptionId: null, resourceGroup: null })));
    return new Map(subjects.map((s, i) => [s, ids[i]]));
  };
  /** Makes events `daysAgo` old and fanned out. */
  const age = (ids: string[], daysAgo: number) =>
    pool().query(`UPDATE outbox_events SET time = now() - $2 * interval '1 day', fanned_out_at = now() WHERE id = ANY($1::uuid[])`, [ids, daysAgo]);
  const delivery = (subscriptionId: string, eventId: string, state: string, lastAttemptDaysAgo: number, leased = false) =>
    pool().query(
      `INSERT INTO webhook_deliveries (id, webhook_subscription_id, event_id, state, attempts, last_attempt_at, lease_owner, lease_expires_at)
       VALUES (gen_random_uuid(), $1, $2, $3, 1, now() - $4 * interval '1 day', $5, $6)`,
      [subscriptionId, eventId, state, lastAttemptDaysAgo, leased ? "someone" : null, leased ? new Date(Date.now() + HOUR) : null],
    );
  const kept = async (ids: string[]) =>
    (await pool().query(`SELECT id FROM outbox_events WHERE id = ANY($1::uuid[])`, [ids])).rows.map((r) => r.id as string).sort();

  it("prunes old events whose deliveries are all final, and old final deliveries; keeps the rest", async () => {
    const sub = randomUUID();
    await pool().query(`INSERT INTO webhook_subscriptions (id, url, owner_principal_id, owner_actor, secret) VALUES ($1, 'https://example.test/hook', 'p', 'p', 'x')`, [sub]);
    const t = randomUUID();
    const names = ["delivered", "failed", "none", "pending", "leased", "recently-final", "recent", "not-fanned-out"].map((n) => `${t}-${n}`);
    const ids = await append(names);
    const id = (n: string) => ids.get(`${t}-${n}`)!;
    await age(names.filter((n) => !n.endsWith("-recent")).map((n) => ids.get(n)!), 40);
    await pool().query(`UPDATE outbox_events SET fanned_out_at = NULL WHERE id = $1`, [id("not-fanned-out")]);
    await delivery(sub, id("delivered"), "delivered", 40);
    await delivery(sub, id("failed"), "failed", 39);
    await delivery(sub, id("pending"), "pending", 35);
    await delivery(sub, id("leased"), "pending", 35, true);
    await delivery(sub, id("recently-final"), "delivered", 1);
    await append([`${t}-newest`]); // the largest position is always kept; make it another event

    const pruned = await pruneExpired(pool(), settings, new Date(), 2);
    expect(pruned).toMatchObject({ webhookDeliveries: 2, outboxEvents: 3 });
    expect(await kept([...ids.values()])).toEqual(["pending", "leased", "recently-final", "recent", "not-fanned-out"].map(id).sort());
    const deliveries = await pool().query(`SELECT event_id FROM webhook_deliveries WHERE webhook_subscription_id = $1`, [sub]);
    expect(deliveries.rows.map((r) => r.event_id).sort()).toEqual(["pending", "leased", "recently-final"].map(id).sort());
    // Nothing more to do on a second run.
    expect(await pruneExpired(pool(), settings, new Date())).toMatchObject({ webhookDeliveries: 0, outboxEvents: 0 });
  });

  it("a subject whose events were all pruned continues its sequence", async () => {
    const subject = `seq-${randomUUID()}`;
    const first = await appendEvents(pool(), [1, 2, 3].map(() => ({ name: "sync.failed" as const, source: "/v1/sync-runs", subject, data: {}, subscriptionId: null, resourceGroup: null })));
    await age(first, 40);
    await append([`newest-${randomUUID()}`]);
    await pruneExpired(pool(), settings, new Date());
    expect(await kept(first)).toEqual([]);
    await append([subject]);
    const { rows } = await pool().query(`SELECT sequence::int AS n FROM outbox_events WHERE subject = $1`, [subject]);
    expect(rows).toEqual([{ n: 4 }]);
  });

  it("never prunes the event with the largest position, so the stream's numbering goes on from it", async () => {
    const ids = [...(await append([`last-${randomUUID()}`])).values()];
    while ((await numberEvents(pool(), 500)) === 500);
    const { rows: [{ max }] } = await pool().query(`SELECT max(position)::int AS max FROM outbox_events`);
    await age(ids, 40);
    await pool().query(`UPDATE outbox_events SET time = now() - interval '40 days', fanned_out_at = now()`);
    await pruneExpired(pool(), settings, new Date());
    expect(await kept(ids)).toEqual(ids);
    // Every other event without deliveries went.
    const others = await pool().query(
      `SELECT 1 FROM outbox_events e WHERE position < $1 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)`, [max]);
    expect(others.rowCount).toBe(0);
    const after = [...(await append([`after-${randomUUID()}`])).values()];
    while ((await numberEvents(pool(), 500)) === 500);
    const { rows } = await pool().query(`SELECT position::int AS p FROM outbox_events WHERE id = $1`, [after[0]]);
    expect(rows[0].p).toBe(max + 1);
  });

  it("a resume point whose successors were pruned is answered 410 event-stream-gap; a later one replays", async () => {
    await ctx.app.listen({ port: 0, host: "127.0.0.1" });
    const base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
    const t = randomUUID();
    const ids = await append([`${t}-a`, `${t}-b`, `${t}-c`]);
    while ((await numberEvents(pool(), 500)) === 500);
    const { rows } = await pool().query(`SELECT subject, position::int AS p FROM outbox_events WHERE id = ANY($1::uuid[]) ORDER BY position`, [[...ids.values()]]);
    const position = new Map(rows.map((r) => [r.subject as string, r.p as number]));
    await age([ids.get(`${t}-b`)!], 40);
    await pruneExpired(pool(), settings, new Date());
    expect(await kept([ids.get(`${t}-b`)!])).toEqual([]);

    const gap = await openEventStream(`${base}/v1/event-stream?lastEventId=${position.get(`${t}-a`)}`);
    gap.close();
    expect(gap.status).toBe(410);
    expect(gap.problem).toMatchObject({ code: "event-stream-gap", latestEventId: String(position.get(`${t}-c`)) });
    expect(gap.problem.detail).toContain("no longer kept");
    const after = await openEventStream(`${base}/v1/event-stream?lastEventId=${position.get(`${t}-b`)}`);
    try {
      expect(after.status).toBe(200);
      expect((await after.next((e) => e.data.subject === `${t}-c`)).id).toBe(String(position.get(`${t}-c`)));
    } finally {
      after.close();
    }
  });

  it("prunes Idempotency-Keys and batch records past IDEMPOTENCY_KEY_RETENTION; a retry then follows the normal create rules", async () => {
    const body = { virtualMachineId: vms[0].id, startAt: fromNow(3 * HOUR) };
    const key = `retry-${randomUUID()}`;
    const first = await ctx.http.post("/v1/bookings").set("idempotency-key", key).send(body);
    expect(first.status).toBe(201);
    const batchKey = `batch-${randomUUID()}`;
    const batch = await ctx.http.post("/v1/booking-batches").set("idempotency-key", batchKey).send({ items: [{ virtualMachineId: vms[1].id, startAt: fromNow(3 * HOUR) }] });
    expect(batch.status).toBe(200);

    // Within the retention: kept, and a retry replays.
    await pruneExpired(pool(), settings, new Date(Date.now() + 6 * DAY));
    expect((await ctx.http.post("/v1/bookings").set("idempotency-key", key).send(body)).headers["idempotent-replayed"]).toBe("true");

    const pruned = await pruneExpired(pool(), settings, new Date(Date.now() + 8 * DAY));
    expect(pruned.idempotencyKeys).toBeGreaterThanOrEqual(1);
    expect(pruned.bookingBatches).toBeGreaterThanOrEqual(1);
    expect((await pool().query(`SELECT 1 FROM idempotency_keys WHERE key = $1`, [key])).rowCount).toBe(0);
    expect((await pool().query(`SELECT 1 FROM booking_batches WHERE idempotency_key = $1`, [batchKey])).rowCount).toBe(0);
    expect((await pool().query(`SELECT 1 FROM bookings WHERE id = $1`, [first.body.id])).rowCount).toBe(1);

    // The key is forgotten: the VM's active booking decides, as for any create.
    const taken = await ctx.http.post("/v1/bookings").set("idempotency-key", key).send(body);
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: "active-booking-exists" });
    expect((await ctx.http.post(`/v1/bookings/${first.body.id}/cancel`)).status).toBe(200);
    const again = await ctx.http.post("/v1/bookings").set("idempotency-key", key).send(body);
    expect(again.status).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBeUndefined();
    expect(again.body.id).not.toBe(first.body.id);
  });
});
