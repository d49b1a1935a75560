// Calendar feeds: managed under /v1 with a bearer token (Maintenance.Read, scoped); fetched at /calendar/{token}.ics
// without one, since calendar clients cannot send it. That route is outside /v1, so the auth hooks leave it alone
// (src/http/auth/plugin.ts isApiRequest); the rate limit covers it per client address (src/http/security.ts).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { AppDeps } from "../../app.js";
import { hasRole } from "../../domain/access.js";
import { calendarFeedContent, createCalendarFeed, deleteCalendarFeed, listCalendarFeedsPage } from "../../services/calendar-feeds.js";
import { calendarFeedJson } from "../../representations.js";
import { CALENDAR_FEED_ROUTE, ICS_CONTENT_TYPE, etagOf, noneMatch, renderCalendar } from "../calendar-ics.js";
import { requestCaller } from "../identity.js";
import { OPTIONAL_BODY } from "../openapi.js";
import { nextLink } from "../pagination.js";
import { IdParams, problemsFor } from "../schemas/common.js";
import { CalendarFeedCreate, CalendarFeedCreated, CalendarFeedPage, CalendarFeedQuery, FeedTokenParams } from "../schemas/calendar-feeds.js";

const reader = { role: "Maintenance.Read", scoped: true } as const;
// A fresh array per route: a shared one would be written to openapi.yaml as a YAML alias.
const tags = () => ["calendar-feeds"];

/** The caller, and whether it may see and delete every feed (Admin, no scope assignments). */
function feedCaller(request: FastifyRequest) {
  const caller = requestCaller(request);
  return { ...caller, admin: request.principal !== null && hasRole(request.principal, "Maintenance.Admin") && caller.scope === null };
}

export const calendarFeedRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const publicBaseUrl = () => deps.publicBaseUrl ?? null;

  app.post("/v1/calendar-feeds", {
    config: reader,
    schema: {
      operationId: "createCalendarFeed", tags: tags(),
      summary: "Create a secret calendar feed URL of the bookings and maintenance windows in the caller's scope",
      description: "No body, or `{\"description\": \"…\"}` (the calendar's name). The feed shows what the caller's scope covers now, also after the caller's scope changes.",
      body: CalendarFeedCreate,
      [OPTIONAL_BODY]: true,
      response: {
        201: CalendarFeedCreated,
        ...problemsFor(["validation-failed", "payload-too-large", "unsupported-media-type"]),
      },
    },
    preValidation: async (request) => {
      request.body ??= {};
    },
  }, async (request, reply) => {
    const { feed, url } = await createCalendarFeed(deps.db, requestCaller(request), request.body, publicBaseUrl());
    return reply.code(201).header("location", `/v1/calendar-feeds/${feed.id}`).header("cache-control", "no-store").send({ ...calendarFeedJson(feed), url });
  });

  app.get("/v1/calendar-feeds", {
    config: reader,
    schema: {
      operationId: "listCalendarFeeds", tags: tags(),
      summary: "The caller's calendar feeds (without their URLs); `all=true`: everyone's, for admins",
      querystring: CalendarFeedQuery,
      response: { 200: CalendarFeedPage, ...problemsFor(["validation-failed", "invalid-cursor"]) },
    },
  }, async (request) => {
    const { limit = 100, cursor, all = false } = request.query;
    const page = await listCalendarFeedsPage(deps.db, feedCaller(request), all, limit, cursor);
    return { value: page.items.map(calendarFeedJson), nextLink: nextLink(request, page.nextCursor) };
  });

  app.delete("/v1/calendar-feeds/:id", {
    config: reader,
    schema: {
      operationId: "deleteCalendarFeed", tags: tags(),
      summary: "Delete one of the caller's calendar feeds (admins: anyone's); its URL answers 404 from then on",
      params: IdParams,
      response: { 204: { description: "Deleted.", type: "null" }, ...problemsFor(["validation-failed", "not-found"]) },
    },
  }, async (request, reply) => {
    await deleteCalendarFeed(deps.db, feedCaller(request), request.params.id);
    return reply.code(204).send(null);
  });

  app.get(CALENDAR_FEED_ROUTE, {
    schema: {
      operationId: "getCalendarFeed", tags: tags(),
      summary: "The iCalendar feed behind a secret URL (no bearer token: calendar clients cannot send one)",
      description:
        "RFC 5545, times in UTC: one event per active booking or booking ended in the last 30 days, and one per self-service and scheduled window of each VM " +
        "with pending maintenance, in the scope of the feed's creator when it was made. `ETag` / `If-None-Match` answer 304 when nothing changed.",
      params: FeedTokenParams,
      response: {
        200: { description: "The calendar.", content: { "text/calendar": { schema: Type.String() } } },
        304: { description: "Not modified since the ETag sent in `If-None-Match`.", type: "null" },
        ...problemsFor(["not-found", "too-many-requests"]),
      },
    },
  }, async (request, reply) => {
    const { name, events } = await calendarFeedContent(deps.db, request.params.token, deps.clock(), publicBaseUrl());
    const body = renderCalendar(name, events);
    const etag = etagOf(body);
    // private: the URL is a credential, so no shared cache should keep the calendar; 5 minutes spares a busy client.
    reply.header("etag", etag).header("cache-control", "private, max-age=300").header("x-robots-tag", "noindex");
    if (noneMatch(request.headers["if-none-match"], etag)) return reply.code(304).send(null);
    return reply.type(ICS_CONTENT_TYPE).send(body);
  });
};
