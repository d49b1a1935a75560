// Calendar feed events → iCalendar (RFC 5545) text, written by ical-generator (line folding, escaping, UTC
// times). No METHOD: a published calendar that clients subscribe to, not a scheduling message.
import { createHash } from "node:crypto";
import type { FastifyRequest } from "fastify";
import ical, { ICalEventStatus, ICalEventTransparency } from "ical-generator";
import type { FeedEvent } from "../domain/calendar-feed.js";

/** Suggested refresh interval (REFRESH-INTERVAL, X-PUBLISHED-TTL); clients choose their own, mostly longer. */
const REFRESH_SECONDS = 15 * 60;

export const ICS_CONTENT_TYPE = "text/calendar; charset=utf-8";

/** The feed's route template, outside /v1: no bearer token (src/http/routes/calendar-feeds.ts). */
export const CALENDAR_FEED_ROUTE = "/calendar/:token.ics";

export const isCalendarFeedRequest = (request: FastifyRequest) => request.routeOptions.url === CALENDAR_FEED_ROUTE;

export function renderCalendar(name: string, events: FeedEvent[]): string {
  const calendar = ical({
    name,
    prodId: { company: "Maintenance Planner", product: "Calendar feed", language: "EN" },
    ttl: REFRESH_SECONDS,
  });
  for (const e of events) {
    calendar.createEvent({
      id: e.uid,
      start: e.start,
      end: e.end,
      stamp: e.stamp,
      summary: e.summary,
      description: e.description,
      url: e.url,
      status: e.status === "CANCELLED" ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      transparency: e.transparent ? ICalEventTransparency.TRANSPARENT : ICalEventTransparency.OPAQUE,
    });
  }
  return calendar.toString();
}

/** A strong ETag of the feed's bytes: the body is the same for the same data (DTSTAMPs are revision times). */
export function etagOf(body: string): string {
  return `"${createHash("sha256").update(body, "utf8").digest("base64url").slice(0, 32)}"`;
}

/** RFC 9110 If-None-Match (weak comparison): `*`, or a list naming the ETag. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag.replace(/^W\//, "") === etag;
  });
}
