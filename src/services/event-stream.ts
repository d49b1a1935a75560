// GET /v1/event-stream: outbox events as server-sent events. One hub per process holds the only LISTEN connection
// and fans out to every open stream; each stream sees what its caller's scope covers, decided by the same function
// that filters webhook subscriptions by their owner's scope (src/domain/webhook-matching.ts).
//
// Order and resumption: events carry their outbox `position` as the SSE `id`. A stream that resumes after N
// registers for live events first, then replays the outbox after N, and sends each event only if its position is
// beyond the last it sent — so the replay and the live events overlap without loss or duplicates.
import { Readable } from "node:stream";
import type pg from "pg";
import { cloudEvent } from "../domain/events.js";
import type { Scope } from "../domain/access.js";
import { DomainError } from "../domain/errors.js";
import { resumeRefusal } from "../domain/retention.js";
import { wantsEvent } from "../domain/webhook-matching.js";
import { listen as listenTo, type Listening } from "../db/listen.js";
import { POSITIONS_CHANNEL, eventsAfter, numberEvents, streamBounds, type StreamEvent } from "../db/event-stream-repo.js";
import { OUTBOX_CHANNEL } from "./webhook-worker.js";

export interface EventStreamSettings {
  /** EVENT_STREAM_MAX: open streams per process; beyond it 503. */
  maxStreams: number;
  /** EVENT_STREAM_HEARTBEAT: a comment line this often, so proxies keep idle streams open. */
  heartbeatMs: number;
  /** EVENT_STREAM_REPLAY_MAX: events a resumed stream may replay; more missed → 410 `event-stream-gap`. */
  replayMax: number;
}

export const EVENT_STREAM_DEFAULTS: EventStreamSettings = { maxStreams: 200, heartbeatMs: 15_000, replayMax: 1000 };
/** A client this far behind (bytes queued) is cut off; it resumes with Last-Event-ID. */
const SLOW_CLIENT_BYTES = 4 * 1024 * 1024;
const BATCH = 500;
const RETRY_AFTER_SECONDS = 10;

interface Stream {
  out: Readable;
  scope: Scope;
  /** The last position sent (or skipped as out of scope). */
  cursor: number;
  /** Live events that came while the replay ran. */
  pending: StreamEvent[] | null;
  /** Ended by us (shutdown, token expiry): nothing more may be pushed. */
  ended?: boolean;
}

interface Log {
  warn(obj: object, msg: string): void;
}

export function sseEvent(e: StreamEvent): string {
  return `id: ${e.position}\nevent: ${e.type}\ndata: ${JSON.stringify(cloudEvent(e))}\n\n`;
}

const ALL_TYPES = { eventTypes: [], filterSubscriptionId: null, filterResourceGroup: null, createdAt: new Date(0) };

export function createEventStreamHub(pool: pg.Pool, settings: EventStreamSettings, log?: Log) {
  const streams = new Set<Stream>();
  let listener: Listening | null = null;
  let starting: Promise<void> | null = null;
  let position = 0;
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  let closed = false;

  /** Runs `task` now, or once more after the run in progress: notifications coalesce. */
  function serial(task: () => Promise<void>) {
    let running: Promise<void> | null = null;
    let again = false;
    const run = (): void => {
      if (running) {
        again = true;
        return;
      }
      running = task()
        .catch((err: unknown) => log?.warn({ err }, "event stream: reading the outbox failed"))
        .finally(() => {
          running = null;
          if (again && !closed) {
            again = false;
            run();
          }
        });
    };
    return run;
  }

  const number = serial(async () => {
    while ((await numberEvents(pool, BATCH)) === BATCH);
  });
  const read = serial(async () => {
    for (;;) {
      const events = await eventsAfter(pool, position, BATCH);
      for (const e of events) for (const s of streams) offer(s, e);
      if (events.length) position = events[events.length - 1].position;
      if (events.length < BATCH) return;
    }
  });

  /** Ends a stream from our side; the client resumes with Last-Event-ID. */
  function end(s: Stream): void {
    streams.delete(s);
    s.ended = true;
    s.out.push(null);
  }

  function send(s: Stream, e: StreamEvent): void {
    if (s.ended || e.position <= s.cursor) return;
    s.cursor = e.position;
    if (!wantsEvent({ ...ALL_TYPES, ownerScope: s.scope }, e)) return;
    s.out.push(sseEvent(e));
    if (s.out.readableLength > SLOW_CLIENT_BYTES) s.out.destroy();
  }

  function offer(s: Stream, e: StreamEvent): void {
    if (s.pending) s.pending.push(e);
    else send(s, e);
  }

  function onNotification(msg: pg.Notification): void {
    if (msg.channel === OUTBOX_CHANNEL) number();
    else read();
  }

  /** Without its LISTEN connection the hub would miss events: streams end, and clients resume from their last id. */
  function lost(err: Error): void {
    log?.warn({ err }, "event stream: listening connection lost; ending streams");
    void stop();
  }

  async function start(): Promise<void> {
    const listening = await listenTo(pool, [OUTBOX_CHANNEL, POSITIONS_CHANNEL], onNotification, lost);
    try {
      ({ last: position } = await streamBounds(pool, 0, 0));
    } catch (err) {
      await listening.close();
      throw err;
    }
    listener = listening;
    heartbeat = setInterval(() => {
      for (const s of streams) if (!s.pending) s.out.push(": heartbeat\n\n");
    }, settings.heartbeatMs);
    number(); // events committed while nobody listened
  }

  async function stop(): Promise<void> {
    for (const s of streams) end(s);
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
    const listening = listener;
    listener = null;
    starting = null;
    await listening?.close();
  }

  function refuseGap(lastEventId: number, last: number, stored: number): void {
    const refusal = resumeRefusal(lastEventId, last, stored, settings.replayMax);
    if (!refusal) return;
    const why = {
      unknown: `Event ${lastEventId} is not one this service has sent.`,
      "too-many": `More than ${settings.replayMax} events were made since event ${lastEventId}.`,
      pruned: `Some events after event ${lastEventId} are no longer kept (OUTBOX_RETENTION).`,
    }[refusal];
    throw new DomainError("event-stream-gap", `${why} Reload what you show, then connect without Last-Event-ID.`, { latestEventId: String(last) });
  }

  return {
    get size() {
      return streams.size;
    },

    /**
     * A new stream for a caller with `scope`, resuming after `lastEventId` when given (else from now), ending at
     * `endsAt` (the caller's token expiry) when given. Refuses
     * with `event-stream-full` (503) past the limit and `event-stream-gap` (410) when the events after
     * `lastEventId` cannot all be replayed.
     */
    async open(scope: Scope, lastEventId: number | null, endsAt: Date | null = null): Promise<Readable> {
      if (closed) throw new DomainError("not-ready", "The service is shutting down.");
      if (streams.size >= settings.maxStreams) {
        throw new DomainError("event-stream-full", `This service holds ${settings.maxStreams} event streams already. Retry later, or poll.`, { retryAfterSeconds: RETRY_AFTER_SECONDS });
      }
      await (starting ??= start().catch((err: unknown) => {
        starting = null;
        throw err;
      }));
      const s: Stream = { out: new Readable({ read() {} }), scope, cursor: 0, pending: [] };
      s.out.push("retry: 2000\n\n"); // the first bytes also send the headers at once
      streams.add(s);
      // Ends when the caller's token does (its scope is not vouched for past that): the client reconnects with a fresh one.
      const expiry = endsAt ? setTimeout(() => end(s), Math.max(0, endsAt.getTime() - Date.now())) : null;
      expiry?.unref();
      s.out.on("close", () => {
        if (expiry) clearTimeout(expiry);
        streams.delete(s);
      });
      try {
        const { last, following } = await streamBounds(pool, lastEventId ?? 0, settings.replayMax + 1);
        if (lastEventId === null) s.cursor = last;
        else {
          refuseGap(lastEventId, last, following);
          const replay = await eventsAfter(pool, lastEventId, settings.replayMax);
          // Retention may have pruned some of them since streamBounds counted.
          refuseGap(lastEventId, last, replay.filter((e) => e.position <= last).length);
          s.cursor = lastEventId;
          for (const e of replay) send(s, e);
        }
      } catch (err) {
        streams.delete(s);
        throw err;
      }
      for (const e of s.pending!) send(s, e);
      s.pending = null;
      return s.out;
    },

    /** Ends every stream and stops listening (graceful shutdown). */
    async close(): Promise<void> {
      closed = true;
      await starting?.catch(() => undefined);
      await stop();
    },
  };
}

export type EventStreamHub = ReturnType<typeof createEventStreamHub>;
