// GET /v1/event-stream against the listening app (Node's fetch: the body never ends, so not supertest), real
// Postgres and the simulator: events after a booking, resuming with Last-Event-ID, the replay bound, scope, the
// stream limit, and a shutdown that ends open streams.
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvents } from "../../src/db/outbox-repo.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { ADMIN, READER } from "../helpers/auth.js";
import { DAY, HOUR, fromNow, selfServiceWindow, vmFixtures, type FixtureVm } from "../helpers/bookings.js";
import { openEventStream, type SseClient, type SseEvent } from "../helpers/event-stream.js";
import { TEAM, createScopeFixture, type ScopeFixture } from "../helpers/scope.js";
import { until } from "../helpers/until.js";

const CREATED = "org.maintenance-planner.booking.created";
const listening = async (ctx: TestContext) => {
  await ctx.app.listen({ port: 0, host: "127.0.0.1" });
  return `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
};
const about = (subject: string) => (e: SseEvent) => e.data.subject === subject;

describe("GET /v1/event-stream", () => {
  const limits = { maxStreams: 4, heartbeatMs: 200, replayMax: 5 };
  let ctx: TestContext;
  let base: string;
  let vms: FixtureVm[];
  const open: SseClient[] = [];
  const stream = async (query = "", headers: Record<string, string> = {}) => {
    const s = await openEventStream(`${base}/v1/event-stream${query}`, headers);
    open.push(s);
    return s;
  };
  const book = async (vm: FixtureVm) => {
    const res = await ctx.http.post("/v1/bookings").send({ virtualMachineId: vm.id, startAt: fromNow(3 * HOUR) });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    ctx = await createTestContext({
      simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 8, scaleSetsPerSubscription: 0, seed: 41 } },
      bookingPolicy: { minLeadSeconds: 0, endMarginSeconds: 0 }, eventStream: limits,
    });
    vms = await vmFixtures(() => ctx)(8, () => selfServiceWindow(-DAY, 5 * DAY));
    base = await listening(ctx);
  });
  afterAll(async () => {
    open.forEach((s) => s.close());
    await ctx?.close();
  });

  it("sends booking.created after POST /v1/bookings: id, event type and the CloudEvent as data; heartbeats between", async () => {
    const s = await stream();
    expect(s.status).toBe(200);
    expect(s.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const bookingId = await book(vms[0]);
    const e = await s.next(about(bookingId));
    expect(e.event).toBe(CREATED);
    expect(e.id).toMatch(/^[1-9][0-9]*$/);
    expect(e.data).toMatchObject({ specversion: "1.0", type: CREATED, subject: bookingId, sequence: "00000000000000000001", data: { booking: { id: bookingId, state: "scheduled" } } });
    await until("a heartbeat", async () => s.comments.includes("heartbeat"), 5_000, 20);
    s.close();
  });

  it("resumes after Last-Event-ID (header or query): replays what was missed, then goes on live, without loss or duplicates", async () => {
    const first = await stream();
    const b1 = await book(vms[1]);
    const seen = await first.next(about(b1));
    first.close();
    const missed = [await book(vms[2]), await book(vms[3])];

    const resumed = await stream("", { "last-event-id": seen.id! });
    const byQuery = await stream(`?lastEventId=${seen.id}`);
    const live = await book(vms[4]);
    const last = await resumed.next(about(live));
    await byQuery.next(about(live));

    // Exactly the outbox's events after the one seen, in order, once each (this reader is unrestricted).
    const { rows } = await ctx.database.db.pool.query(`SELECT position::text AS id FROM outbox_events WHERE position > $1 AND position <= $2 ORDER BY position`, [seen.id, last.id]);
    const upToLast = (s: SseClient) => s.events.slice(0, s.events.indexOf(s.events.find((e) => e.id === last.id)!) + 1).map((e) => e.id);
    expect(upToLast(resumed)).toEqual(rows.map((r) => r.id));
    expect(upToLast(byQuery)).toEqual(rows.map((r) => r.id));
    const created = resumed.events.filter((e) => e.event === CREATED).map((e) => e.data.subject);
    expect(created).toEqual([...missed, live]);
    resumed.close();
    byQuery.close();
  });

  it("answers 410 event-stream-gap when more than EVENT_STREAM_REPLAY_MAX events were missed, or the id was never sent", async () => {
    const s = await stream();
    const marker = await book(vms[5]);
    const seen = await s.next(about(marker));
    const subjects = Array.from({ length: limits.replayMax + 1 }, (_, i) => `stream-test-${i}`);
    await appendEvents(ctx.database.db.pool, subjects.map((subject) => ({ name: "sync.failed", source: "/v1/sync-runs", subject, data: {}, subscriptionId: null, resourceGroup: null })));
    const newest = await s.next(about(subjects.at(-1)!));
    s.close();

    const gap = await stream("", { "last-event-id": seen.id! });
    expect(gap.status).toBe(410);
    expect(gap.problem).toMatchObject({ code: "event-stream-gap", latestEventId: newest.id });
    const unknown = await stream(`?lastEventId=${Number(newest.id) + 1000}`);
    expect(unknown.status).toBe(410);
    const bad = await stream("?lastEventId=abc");
    expect(bad.status).toBe(400);
    // Just inside the bound: the last replayMax events replay.
    const inside = await stream("", { "last-event-id": String(Number(newest.id) - limits.replayMax) });
    expect(inside.status).toBe(200);
    await inside.next((e) => e.id === newest.id);
    expect(inside.events).toHaveLength(limits.replayMax);
    inside.close();
  });

  it("refuses a stream beyond EVENT_STREAM_MAX with 503 event-stream-full and Retry-After; a closed stream frees its place", async () => {
    const mine: SseClient[] = [];
    let refused: Awaited<ReturnType<typeof stream>> | undefined;
    for (let i = 0; i <= limits.maxStreams && !refused; i++) {
      const s = await stream();
      if (s.status === 200) mine.push(s);
      else refused = s;
    }
    expect(refused?.status).toBe(503);
    expect(refused?.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
    expect(refused?.problem).toMatchObject({ code: "event-stream-full" });
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.length).toBeLessThanOrEqual(limits.maxStreams);
    mine.forEach((s) => s.close());
    const again = await until("a place to free up", async () => {
      const s = await stream();
      return s.status === 200 ? s : undefined;
    }, 10_000);
    again.close();
  });

  it("ends open streams when the app closes, without waiting for their clients", async () => {
    const streams = [await stream(), await stream()];
    const closing = ctx.app.close();
    const late = (ms: number, what: string) => new Promise((_, reject) => setTimeout(() => reject(new Error(what)), ms));
    await Promise.race([Promise.all(streams.map((s) => s.ended)), late(2_000, "open streams were not ended")]);
    // (Idle keep-alive sockets of earlier requests may hold the server a few seconds; open streams must not.)
    await Promise.race([closing, late(10_000, "close waited on open streams")]);
  });
});

describe("GET /v1/event-stream with scope assignments", () => {
  let fx: ScopeFixture;
  let base: string;
  beforeAll(async () => {
    fx = await createScopeFixture();
    base = await listening(fx.ctx);
  });
  afterAll(() => fx?.close());

  it("a scoped reader gets the events of its scope only; an unrestricted one gets all", async () => {
    const { ctx, idp, mine, theirs } = fx;
    expect((await ctx.http.post("/v1/scope-assignments").send({ principalId: TEAM, subscriptionId: mine[0].subscriptionId })).status).toBe(201);
    const reader = await openEventStream(`${base}/v1/event-stream`, { authorization: `Bearer ${await idp.user(READER, { groups: [TEAM] })}` });
    const admin = await openEventStream(`${base}/v1/event-stream`, { authorization: `Bearer ${await idp.app(ADMIN)}` });
    try {
      expect(reader.status).toBe(200);
      const book = async (vm: FixtureVm) => (await ctx.http.post("/v1/bookings").send({ virtualMachineId: vm.id, startAt: fromNow(3 * HOUR) })).body.id as string;
      const outside = await book(theirs[1]);
      const inside = await book(mine[1]);
      await reader.next(about(inside));
      await admin.next(about(inside));
      // Events come in stream order, so the one outside the scope, made first, would have come first.
      expect(reader.events.map((e) => e.data.subject)).not.toContain(outside);
      expect(admin.events.map((e) => e.data.subject)).toEqual(expect.arrayContaining([outside, inside]));
    } finally {
      reader.close();
      admin.close();
    }
  });

  it("ends a stream when the caller's token expires (its scope is not vouched for past that); one with a token that lasts goes on", async () => {
    const { ctx, idp, mine } = fx;
    const user = { oid: "0a1b2c3d-0000-4000-8000-000000000001", preferred_username: "alice@contoso.com", scp: "access_as_user", roles: READER };
    const short = await openEventStream(`${base}/v1/event-stream`, { authorization: `Bearer ${await idp.sign(user, { expiresIn: 2 })}` });
    const long = await openEventStream(`${base}/v1/event-stream`, { authorization: `Bearer ${await idp.sign(user)}` });
    try {
      expect(short.status).toBe(200);
      let ended = false;
      void short.ended.then(() => (ended = true));
      await until("the stream to end at the token's expiry", async () => ended, 10_000, 50);
      // The other stream, with a token that lasts, goes on: it still gets a booking made now.
      const bookingId = (await ctx.http.post("/v1/bookings").send({ virtualMachineId: mine[2].id, startAt: fromNow(3 * HOUR) })).body.id as string;
      await long.next(about(bookingId));
    } finally {
      short.close();
      long.close();
    }
  });
});
