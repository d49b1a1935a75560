// Keeps what the page shows fresh without reloads. Every watched document is read with ETag / If-None-Match (an
// unchanged answer is a 304 without a body). What triggers a read: events from GET /v1/event-stream while it is
// open (createStreamLive), else a timer (createPollingLive); the rest of the page only sees `watch`, `watchList`,
// `refresh` and the mode.
import type { Api } from "./api";
import type { Page } from "./types";

export interface Live {
  /** Every item of a paged list (following nextLink), now and again whenever any page of it changes. Returns stop. */
  watchList<T>(firstPage: string, onItems: (items: T[]) => void, onError?: (error: unknown) => void): () => void;
  /** One document, now and whenever it changes. Returns stop. */
  watch<T>(path: string, onBody: (body: T) => void, onError?: (error: unknown) => void): () => void;
  /** Check everything watched now (e.g. after the page changed something itself). */
  refresh(): Promise<void>;
  /** How changes arrive now: `stream` (server-sent events) or `polling`; `onMode` is called on every change. */
  mode(onMode: (mode: LiveMode) => void): () => void;
}

export type LiveMode = "stream" | "polling";

interface PollingLive extends Live {
  /** Stops or restarts the timer (the stream takes over while it is open). */
  setPolling(on: boolean): void;
}

type Check = () => Promise<void>;

/** Conditional GETs for one watcher: its own copy per URL, since a 304 means "what you have". */
function conditionalReader(api: Api) {
  const held = new Map<string, { etag: string | null; body: unknown }>();
  return async function read<T>(path: string): Promise<{ body: T; changed: boolean }> {
    const mine = held.get(path);
    const { body, etag } = await api.getIfChanged<T>(path, mine?.etag ?? null);
    if (body === null && mine) return { body: mine.body as T, changed: false };
    if (body === null) throw new Error(`${path}: 304 without a copy`);
    held.set(path, { etag, body });
    return { body, changed: true };
  };
}

export function createPollingLive(api: Api, intervalMs: number): PollingLive {
  const checks = new Set<Check>();
  let polling = true;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;
  const checkAll = () => (running ??= Promise.all([...checks].map((check) => check())).then(() => undefined).finally(() => (running = null)));
  const schedule = () => {
    timer = setTimeout(async () => {
      // Polling pauses while the tab is hidden, and catches up when it is shown again.
      if (polling && document.visibilityState === "visible") await checkAll();
      if (timer) schedule();
    }, intervalMs);
  };
  document.addEventListener("visibilitychange", () => {
    if (polling && document.visibilityState === "visible") void checkAll();
  });

  /** Runs `check` now and on every poll until the returned function is called. */
  function add(check: (isStopped: () => boolean) => Promise<void>): () => void {
    let stopped = false;
    const run: Check = () => check(() => stopped);
    checks.add(run);
    if (!timer) schedule();
    void run();
    return () => {
      stopped = true;
      checks.delete(run);
      if (checks.size === 0 && timer) {
        clearTimeout(timer);
        timer = null;
      }
    };
  }

  return {
    watchList<T>(firstPage: string, onItems: (items: T[]) => void, onError?: (error: unknown) => void) {
      const read = conditionalReader(api);
      let first = true;
      return add(async (stopped) => {
        try {
          const items: T[] = [];
          let changed = first;
          for (let next: string | null = firstPage; next && !stopped(); ) {
            const page: { body: Page<T>; changed: boolean } = await read<Page<T>>(next);
            changed ||= page.changed;
            items.push(...page.body.value);
            next = page.body.nextLink;
          }
          first = false;
          if (changed && !stopped()) onItems(items);
        } catch (error) {
          if (!stopped()) onError?.(error);
        }
      });
    },
    watch<T>(path: string, onBody: (body: T) => void, onError?: (error: unknown) => void) {
      const read = conditionalReader(api);
      return add(async (stopped) => {
        try {
          const { body, changed } = await read<T>(path);
          if (changed && !stopped()) onBody(body);
        } catch (error) {
          if (!stopped()) onError?.(error);
        }
      });
    },
    async refresh() {
      await running; // a check that started before the change may have read the old state
      await checkAll();
    },
    mode(onMode) {
      onMode("polling");
      return () => undefined;
    },
    setPolling(on) {
      polling = on;
    },
  };
}

/** Event types that change what the page shows (the others — deadline alerts, sync failures — change nothing). */
const AFFECTS_PAGE = /\.(booking|window)\.[a-z-]+$/;
const DEBOUNCE_MS = 250;
const MAX_BACKOFF_MS = 60_000;

/**
 * Reads on events from GET /v1/event-stream (debounced: a batch of 1,000 bookings is one refresh), and polls every
 * `pollMs` only while the stream is unavailable. EventSource cannot send the bearer token, so the stream is a
 * fetch whose body is read as it arrives. A lost stream reconnects with Last-Event-ID after a growing pause; the
 * server replays what was missed, or answers 410 when it cannot, and then everything is read again.
 */
export function createStreamLive(api: Api, pollMs: number): Live {
  const watched = createPollingLive(api, pollMs);
  const listeners = new Set<(mode: LiveMode) => void>();
  let current: LiveMode = "polling";
  const setMode = (mode: LiveMode) => {
    current = mode;
    watched.setPolling(mode === "polling");
    listeners.forEach((l) => l(mode));
  };
  let lastEventId: string | null = null;
  let debounce: ReturnType<typeof setTimeout> | null = null;
  const changed = () => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => void watched.refresh(), DEBOUNCE_MS);
  };

  /** Reads one stream until it ends; true when it was open (so the next try starts with a short pause). */
  async function follow(): Promise<boolean> {
    const res = await api.open("/v1/event-stream", lastEventId ? { "last-event-id": lastEventId } : {});
    if (res.status === 410) {
      // Too much was missed to replay: read everything again and follow from where the stream is now.
      const problem = (await res.json().catch(() => ({}))) as { latestEventId?: string };
      lastEventId = problem.latestEventId ?? null;
      await watched.refresh();
      return true;
    }
    if (!res.ok || !res.body) throw new Error(`GET /v1/event-stream answered ${res.status}`);
    setMode("stream");
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return true;
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const fields = buffer.slice(0, cut).split("\n");
        buffer = buffer.slice(cut + 2);
        const id = fields.find((f) => f.startsWith("id:"))?.slice(3).trim();
        const type = fields.find((f) => f.startsWith("event:"))?.slice(6).trim();
        if (id) lastEventId = id;
        if (type && AFFECTS_PAGE.test(type)) changed();
      }
    }
  }

  void (async () => {
    for (let pause = 1_000; ; ) {
      const wasOpen = await follow().catch(() => false);
      if ((current as LiveMode) === "stream") {
        setMode("polling");
        void watched.refresh(); // catch up at once on what came while the stream was going down
      }
      pause = wasOpen ? 1_000 : Math.min(pause * 2, MAX_BACKOFF_MS);
      await new Promise((r) => setTimeout(r, pause * (0.75 + Math.random() / 2)));
    }
  })();

  return {
    watchList: watched.watchList,
    watch: watched.watch,
    refresh: watched.refresh,
    mode(onMode) {
      listeners.add(onMode);
      onMode(current);
      return () => listeners.delete(onMode);
    },
  };
}
