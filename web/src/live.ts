// Keeps what the page shows fresh without reloads. Today by polling with ETag / If-None-Match (an unchanged
// answer is a 304 without a body); the rest of the page only sees `watch`, `watchList` and `refresh`, so a
// server-sent event stream can replace the polling in this file alone: on an event, `refresh()` instead of a timer.
import type { Api } from "./api";
import type { Page } from "./types";

export interface Live {
  /** Every item of a paged list (following nextLink), now and again whenever any page of it changes. Returns stop. */
  watchList<T>(firstPage: string, onItems: (items: T[]) => void, onError?: (error: unknown) => void): () => void;
  /** One document, now and whenever it changes. Returns stop. */
  watch<T>(path: string, onBody: (body: T) => void, onError?: (error: unknown) => void): () => void;
  /** Check everything watched now (e.g. after the page changed something itself). */
  refresh(): Promise<void>;
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

export function createPollingLive(api: Api, intervalMs: number): Live {
  const checks = new Set<Check>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;
  const checkAll = () => (running ??= Promise.all([...checks].map((check) => check())).then(() => undefined).finally(() => (running = null)));
  const schedule = () => {
    timer = setTimeout(async () => {
      // Polling pauses while the tab is hidden, and catches up when it is shown again.
      if (document.visibilityState === "visible") await checkAll();
      if (timer) schedule();
    }, intervalMs);
  };
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void checkAll();
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
  };
}
