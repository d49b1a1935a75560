// GET /v1/event-stream: the outbox's events as server-sent events (src/services/event-stream.ts). The route asks
// the hub for a stream and sends it; the hub ends every stream when the app closes, so a graceful shutdown never
// waits on a client that keeps its stream open.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { AppDeps } from "../../app.js";
import { EVENT_STREAM_DEFAULTS, createEventStreamHub, type EventStreamHub } from "../../services/event-stream.js";
import { problemsFor } from "../schemas/common.js";
import { EventStreamHeaders, EventStreamQuery } from "../schemas/event-stream.js";

export const eventStreamRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  // Made at the first stream (the OpenAPI writer builds the app without a database).
  let made: EventStreamHub | null = null;
  const hub = () => (made ??= createEventStreamHub(deps.db.pool, deps.eventStream ?? EVENT_STREAM_DEFAULTS, app.log));
  app.addHook("preClose", async () => made?.close());

  app.get("/v1/event-stream", {
    config: { role: "Maintenance.Read", scoped: true },
    schema: {
      operationId: "streamEvents", tags: ["events"],
      summary: "Events as they happen, as server-sent events (one CloudEvent per event, in your scope)",
      description:
        "`text/event-stream`: each event has `id:` its place in the stream (increasing), `event:` its CloudEvent `type` and `data:` the CloudEvent " +
        "(structured JSON, as webhooks carry it). Only events about VMs in your scope (and events about no VM) are sent, as for webhook subscriptions. " +
        "Send `Last-Event-ID` (or `?lastEventId=`) to resume after an event: what was missed is replayed first, up to EVENT_STREAM_REPLAY_MAX events; " +
        "beyond that, or for an id this service never sent, 410 `event-stream-gap` (`latestEventId` says where the stream is now: reload, then resume from it). " +
        "A comment line (`: heartbeat`) comes every EVENT_STREAM_HEARTBEAT. At most EVENT_STREAM_MAX streams per process: beyond, 503 `event-stream-full` with `Retry-After`. " +
        "Streams end when the service shuts down and when the bearer token expires; reconnect (with a fresh token) with `Last-Event-ID`. Browsers' EventSource cannot send a bearer token: read the body of a fetch instead.",
      querystring: EventStreamQuery,
      headers: EventStreamHeaders,
      response: {
        200: { description: "The stream (never ends on its own).", content: { "text/event-stream": { schema: Type.String() } } },
        ...problemsFor(["validation-failed", "event-stream-gap", "event-stream-full"]),
      },
    },
  }, async (request, reply) => {
    const resumeAfter = request.headers["last-event-id"] ?? request.query.lastEventId;
    // The stream ends when the caller's token expires: its scope and roles are not vouched for past that.
    const stream = await hub().open(request.scope ?? null, resumeAfter === undefined ? null : Number(resumeAfter), request.tokenExpiresAt);
    // `connection: close`: once the stream ends, its socket goes too, and cannot hold a closing server open.
    return reply
      .type("text/event-stream; charset=utf-8")
      .header("cache-control", "no-store")
      .header("x-accel-buffering", "no")
      .header("connection", "close")
      .send(stream as unknown as string); // the schema documents the text; Fastify pipes the stream as it comes
  });
};
