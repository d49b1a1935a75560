// Calendar feeds: a secret URL per feed, fetched without a bearer token; its .ics parsed with a real parser
// (ical.js) shows each booking at its UTC time, limited to the creator's scope, and disappears when deleted.
import { createHash, randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import ICAL from "ical.js";
import { pino } from "pino";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { LOG_REDACT_PATHS, LOG_SERIALIZERS } from "../../src/http/security.js";
import type { TestContext } from "../helpers/app.js";
import { BOOKER, READER, type TestIdentityProvider } from "../helpers/auth.js";
import { HOUR, type FixtureVm } from "../helpers/bookings.js";
import { expectContract } from "../helpers/openapi.js";
import { TEAM, createScopeFixture, type ScopeFixture } from "../helpers/scope.js";

const BOB = "0b0b0b0b-0000-4000-8000-000000000b0b";
const CAROL = "0c0c0c0c-0000-4000-8000-000000000c0c";

interface Parsed {
  uid: string;
  summary: string;
  description: string;
  status: string | null;
  start: ICAL.Time;
  end: ICAL.Time;
  stamp: string;
  url: string | null;
}

/** The events of an iCalendar text, as ical.js reads them. */
function parseIcs(text: string): Map<string, Parsed> {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return new Map(
    calendar.getAllSubcomponents("vevent").map((c) => {
      const e = new ICAL.Event(c);
      return [e.uid, { uid: e.uid, summary: e.summary, description: e.description, status: c.getFirstPropertyValue("status") as string | null,
        start: e.startDate, end: e.endDate, stamp: String(c.getFirstPropertyValue("dtstamp")),
        url: c.getFirstPropertyValue("url") as string | null }];
    }),
  );
}

const tokenOf = (url: string) => /\/calendar\/([^/]+)\.ics$/.exec(url)![1];

/** A time on a whole minute (iCalendar keeps seconds), written with a +02:00 offset: the feed must show it in UTC. */
function startAtPlus2(msFromNow: number): { sent: string; utc: string } {
  const at = new Date(Math.ceil((Date.now() + msFromNow) / 60_000) * 60_000);
  const local = new Date(at.getTime() + 2 * HOUR).toISOString().replace(/\.000Z$/, "+02:00");
  return { sent: local, utc: at.toISOString() };
}

describe("calendar feeds", () => {
  let fx: ScopeFixture;
  let ctx: TestContext;
  let idp: TestIdentityProvider;
  let mine: FixtureVm[];
  let theirs: FixtureVm[];
  let bob: string;
  let carol: string;
  let booking: Record<string, any>;
  let cancelled: Record<string, any>;
  let feed: Record<string, any>;
  const as = (token: string) => ({
    get: async (url: string) => { const r = await ctx.anonymous.get(url).set("authorization", `Bearer ${token}`); expectContract(r); return r; },
    post: async (url: string, body?: object) => { const r = await ctx.anonymous.post(url).set("authorization", `Bearer ${token}`).send(body); expectContract(r); return r; },
    delete: async (url: string) => { const r = await ctx.anonymous.delete(url).set("authorization", `Bearer ${token}`); expectContract(r); return r; },
  });
  const fetchFeed = async (url: string, headers: Record<string, string> = {}) => {
    const res = await ctx.anonymous.get(url).set(headers);
    expectContract(res);
    return res;
  };

  beforeAll(async () => {
    fx = await createScopeFixture();
    ({ ctx, idp, mine, theirs } = fx);
    bob = await idp.user(BOOKER, { oid: BOB, preferred_username: "bob@contoso.com", groups: [TEAM] });
    carol = await idp.user(READER, { oid: CAROL, preferred_username: "carol@contoso.com" });
    expect((await ctx.http.post("/v1/scope-assignments").send({ principalId: TEAM, subscriptionId: mine[0].subscriptionId })).status).toBe(201);
    const start = startAtPlus2(3 * HOUR);
    booking = (await as(bob).post("/v1/bookings", { virtualMachineId: mine[0].id, startAt: start.sent, note: "after the release" })).body;
    expect(booking.startAt).toBe(start.utc);
    cancelled = (await as(bob).post("/v1/bookings", { virtualMachineId: mine[1].id, startAt: startAtPlus2(4 * HOUR).sent })).body;
    expect((await as(bob).post(`/v1/bookings/${cancelled.id}/cancel`)).status).toBe(200);
    const created = await as(bob).post("/v1/calendar-feeds", { description: "Team web" });
    expect(created.status).toBe(201);
    feed = created.body;
  });
  afterAll(() => fx?.close());

  it("creates a feed with a secret relative URL, shown only at creation", async () => {
    expect(feed.url).toMatch(/^\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    expect(feed).toMatchObject({ description: "Team web", principalId: BOB, createdBy: "bob@contoso.com", scope: [{ subscriptionId: mine[0].subscriptionId, resourceGroup: null }], lastFetchedAt: null });
    const { url: _url, ...withoutUrl } = feed;
    expect((await as(bob).get("/v1/calendar-feeds")).body.value).toEqual([withoutUrl]);
    // Stored hashed: no column holds the token.
    const token = tokenOf(feed.url);
    const row = (await ctx.database.db.pool.query(`SELECT row_to_json(f)::text AS row, token_hash FROM calendar_feeds f WHERE id = $1`, [feed.id])).rows[0];
    expect(row.row).not.toContain(token);
    expect(row.token_hash).toBe(createHash("sha256").update(token).digest("hex"));
  });

  it("serves the feed without a bearer token; ical.js reads the booking at its UTC time", async () => {
    const res = await fetchFeed(feed.url);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/calendar; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("private, max-age=300");
    expect(res.text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    const events = parseIcs(res.text);
    const event = events.get(`booking-${booking.id}@maintenance-planner`)!;
    expect(event, "the booking's event").toBeDefined();
    expect(event.start.zone?.tzid).toBe("UTC");
    expect(event.start.toJSDate().toISOString()).toBe(booking.startAt);
    expect(event.end.toJSDate().getTime() - event.start.toJSDate().getTime()).toBe(30 * 60_000);
    const vmName = (await as(bob).get(`/v1/virtual-machines/${mine[0].id}`)).body.name;
    expect(event.summary).toBe(`Maintenance of ${vmName}: scheduled`);
    expect(event.description).toContain(`Booking: /v1/bookings/${booking.id}`);
    expect(event.url).toBeNull(); // a relative link is no URI: only the description carries it
    expect(event.description).toContain("Note: after the release");
    expect(event.stamp).toBe(booking.updatedAt.replace(/\.\d{3}Z$/, "Z"));
    const gone = events.get(`booking-${cancelled.id}@maintenance-planner`)!;
    expect([gone.summary.endsWith(": cancelled"), gone.status]).toEqual([true, "CANCELLED"]);
    // Windows: the booked VM's say so; every pending VM in scope has its self-service and scheduled window.
    const window = events.get(`self-service-window-${mine[0].id}@maintenance-planner`)!;
    expect(window.summary).toBe(`Self-service window of ${vmName}: booked for ${booking.startAt.replace(/:00\.000Z$/, "Z")}`);
    expect(events.get(`scheduled-window-${mine[2].id}@maintenance-planner`)?.summary).toMatch(/^Scheduled window of .+: unbooked$/);
    expect((await as(bob).get("/v1/calendar-feeds")).body.value[0].lastFetchedAt).not.toBeNull();
  });

  it("shows only what the creator's scope covered", async () => {
    const uids = [...parseIcs((await fetchFeed(feed.url)).text).keys()];
    expect(uids).not.toContain(`booking-${fx.theirBooking.id}@maintenance-planner`);
    for (const vm of theirs) expect(uids.filter((u) => u.includes(vm.id))).toEqual([]);
    for (const vm of mine) expect(uids).toContain(`self-service-window-${vm.id}@maintenance-planner`);
    // An unrestricted admin's feed shows the other subscription too.
    const adminFeed = (await ctx.http.post("/v1/calendar-feeds")).body;
    expect(adminFeed.scope).toBeNull();
    expect([...parseIcs((await fetchFeed(adminFeed.url)).text).keys()]).toContain(`booking-${fx.theirBooking.id}@maintenance-planner`);
  });

  it("answers 304 to If-None-Match with the feed's ETag", async () => {
    const first = await fetchFeed(feed.url);
    const again = await fetchFeed(feed.url, { "if-none-match": first.headers.etag });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
    expect((await fetchFeed(feed.url, { "if-none-match": '"other"' })).status).toBe(200);
  });

  it("404 for unknown and malformed tokens", async () => {
    for (const url of [`/calendar/${randomBytes(32).toString("base64url")}.ics`, "/calendar/short.ics", `/calendar/${tokenOf(feed.url).slice(1)}.ics`]) {
      const res = await fetchFeed(url);
      expect(res.status, url).toBe(404);
      expect(res.body.code).toBe("not-found");
    }
  });

  it("lists everyone's feeds for admins only; deletes own feeds, or any as admin; a deleted feed is 404", async () => {
    expect((await as(bob).get("/v1/calendar-feeds?all=true")).status).toBe(403);
    const everyone = (await ctx.http.get("/v1/calendar-feeds?all=true")).body.value.map((f: { id: string }) => f.id);
    expect(everyone).toContain(feed.id);
    expect((await as(carol).get("/v1/calendar-feeds")).body.value).toEqual([]);
    expect((await as(carol).delete(`/v1/calendar-feeds/${feed.id}`)).status).toBe(404);
    expect((await fetchFeed(feed.url)).status).toBe(200);
    expect((await as(bob).delete(`/v1/calendar-feeds/${feed.id}`)).status).toBe(204);
    expect((await fetchFeed(feed.url)).status).toBe(404);
    expect((await as(bob).delete(`/v1/calendar-feeds/${feed.id}`)).status).toBe(404);
    const carolsFeed = (await as(carol).post("/v1/calendar-feeds")).body;
    expect((await ctx.http.delete(`/v1/calendar-feeds/${carolsFeed.id}`)).status).toBe(204);
    const audit = (await ctx.http.get(`/v1/audit-events?targetId=${feed.id}`)).body.value.map((e: { action: string; actor: string }) => [e.action, e.actor]);
    expect(audit).toEqual([["calendar-feed.deleted", "bob@contoso.com"], ["calendar-feed.created", "bob@contoso.com"]]);
  });

  it("gives absolute URLs under PUBLIC_BASE_URL, and limits fetches per client address", async () => {
    const app = await buildApp({ ...ctx.appDeps, publicBaseUrl: "https://planner.contoso.com/mp", rateLimitPerMinute: 2 });
    await app.ready();
    try {
      const http = request(app.server);
      const created = await http.post("/v1/calendar-feeds").set("authorization", `Bearer ${bob}`);
      expect(created.body.url).toMatch(/^https:\/\/planner\.contoso\.com\/mp\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
      const path = new URL(created.body.url).pathname.replace(/^\/mp/, "");
      const event = parseIcs((await http.get(path)).text).get(`booking-${booking.id}@maintenance-planner`)!;
      expect(event.url).toBe(`https://planner.contoso.com/mp/v1/bookings/${booking.id}`);
      expect(event.description).toContain(`Booking: https://planner.contoso.com/mp/v1/bookings/${booking.id}`);
      expect((await http.get(path)).status).toBe(200);
      const limited = await http.get(path);
      expectContract(limited);
      expect(limited.status).toBe(429);
      expect(limited.headers["retry-after"]).toBeDefined();
    } finally {
      await app.close();
    }
  });

  it("never writes a feed's token to the log", async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => { lines.push(String(chunk)); done(); } });
    // The logger main.ts builds.
    const app = await buildApp(ctx.appDeps, { logger: pino({ level: "info", redact: LOG_REDACT_PATHS, serializers: LOG_SERIALIZERS }, sink) });
    await app.ready();
    try {
      const url = (await request(app.server).post("/v1/calendar-feeds").set("authorization", `Bearer ${bob}`)).body.url;
      expect((await request(app.server).get(url)).status).toBe(200);
      expect(lines.join("")).toContain('"url":"/calendar/[redacted]"');
      expect(lines.join("")).not.toContain(tokenOf(url));
    } finally {
      await app.close();
    }
  });
});
