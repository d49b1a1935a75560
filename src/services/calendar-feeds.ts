// Calendar feeds: secret URLs that calendar clients (Outlook, Google Calendar) subscribe to without a bearer
// token. The token is shown once, at creation; only its SHA-256 is stored, and a fetch looks the feed up by the
// hash of the token presented, so neither a database dump nor response timing gives a usable token away. A feed
// shows what its creator's scope covered when it was made.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Db } from "../db/client.js";
import { appendAuditEvent } from "../db/audit-repo.js";
import { feedBookings, feedVirtualMachines } from "../db/calendar-feed-items-repo.js";
import { deleteFeed, fetchFeed, insertFeed, listFeeds, type CalendarFeedRow } from "../db/calendar-feeds-repo.js";
import { withTransaction } from "../db/transaction.js";
import { RECENT_BOOKING_DAYS, feedEvents, feedLinks, type FeedEvent } from "../domain/calendar-feed.js";
import { cursorCodec, type Page } from "../domain/cursor.js";
import { DomainError } from "../domain/errors.js";
import type { Caller } from "./access.js";

/** 256 random bits, base64url: 43 characters. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const ID_CURSOR = cursorCodec({ id: "uuid" });

const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

/** Whoever may see and delete every feed: an Admin without scope assignments. */
export interface FeedCaller extends Caller {
  admin: boolean;
}

export interface CreatedCalendarFeed {
  feed: CalendarFeedRow;
  /** The secret feed URL; it cannot be shown again. */
  url: string;
}

export function createCalendarFeed(db: Db, caller: Caller, input: { description?: string | null }, publicBaseUrl: string | null): Promise<CreatedCalendarFeed> {
  const token = randomBytes(32).toString("base64url");
  return withTransaction(db.pool, async (client) => {
    const feed = await insertFeed(client, {
      id: randomUUID(), tokenHash: hashToken(token), principalId: caller.principalId, createdBy: caller.actor,
      description: input.description ?? null, scope: caller.scope,
    });
    await appendAuditEvent(client, { actor: caller.actor, requestId: caller.requestId, action: "calendar-feed.created", targetType: "calendar-feed", targetId: feed.id, after: feed });
    return { feed, url: feedLinks(publicBaseUrl).feed(token) };
  });
}

/** The caller's own feeds; `all`: everyone's (unrestricted admins only). */
export async function listCalendarFeedsPage(db: Db, caller: FeedCaller, all: boolean, limit: number, cursor: string | undefined): Promise<Page<CalendarFeedRow>> {
  if (all && !caller.admin) throw new DomainError("forbidden", "Listing everyone's calendar feeds (`all=true`) needs Maintenance.Admin without scope assignments.", { requiredRole: "Maintenance.Admin" });
  const after = ID_CURSOR.decode(cursor)?.id ?? null;
  const rows = await listFeeds(db.pool, all ? null : caller.principalId, limit + 1, after);
  return ID_CURSOR.page(rows, limit, (last) => ({ id: last.id }));
}

/** Deletes one of the caller's feeds (an admin: anyone's); another's feed is not found, as if it did not exist. */
export function deleteCalendarFeed(db: Db, caller: FeedCaller, id: string): Promise<void> {
  return withTransaction(db.pool, async (client) => {
    const feed = await deleteFeed(client, id, caller.admin ? null : caller.principalId);
    if (!feed) throw new DomainError("not-found", `No calendar feed with id ${id} of yours.`);
    await appendAuditEvent(client, { actor: caller.actor, requestId: caller.requestId, action: "calendar-feed.deleted", targetType: "calendar-feed", targetId: id, before: feed });
  });
}

export interface CalendarFeedContent {
  name: string;
  events: FeedEvent[];
}

/** The feed behind a token: its bookings (active, or ended in the last RECENT_BOOKING_DAYS) and pending windows. */
export async function calendarFeedContent(db: Db, token: string, now: Date, publicBaseUrl: string | null): Promise<CalendarFeedContent> {
  const feed = TOKEN.test(token) ? await fetchFeed(db.pool, hashToken(token)) : null;
  if (!feed) throw new DomainError("not-found", "No calendar feed at this address (it may have been deleted). Create one with POST /v1/calendar-feeds.");
  const since = new Date(now.getTime() - RECENT_BOOKING_DAYS * 86_400_000);
  const [bookings, vms] = await Promise.all([feedBookings(db.pool, feed.scope, since, now), feedVirtualMachines(db.pool, feed.scope, now)]);
  return { name: feed.description ?? "Azure maintenance", events: feedEvents(bookings, vms, now, feedLinks(publicBaseUrl)) };
}
