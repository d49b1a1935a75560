// A server-sent events client for tests: Node's fetch, the body read as it arrives (supertest would wait for an
// end that never comes). Keeps every event and comment; `next` waits for a matching event without fixed sleeps.
import { until } from "./until.js";

export interface SseEvent {
  id: string | null;
  event: string | null;
  data: any;
}

export interface SseClient {
  status: number;
  headers: Headers;
  events: SseEvent[];
  comments: string[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** The first event (from `from` on) that `match` accepts. */
  next(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

/** Opens the stream; a non-200 answer comes back with its problem document as `problem`. */
export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<SseClient & { problem?: any }> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: abort.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  if (res.status !== 200) {
    const problem = await res.json();
    return { status: res.status, headers: res.headers, events, comments, ended: Promise.resolve(), problem, next: () => Promise.reject(new Error("no stream")), close: () => abort.abort() };
  }
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const e: SseEvent = { id: null, event: null, data: undefined };
          let isEvent = false;
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) comments.push(line.slice(1).trim());
            else if (line.startsWith("id: ")) e.id = line.slice(4);
            else if (line.startsWith("event: ")) e.event = line.slice(7);
            else if (line.startsWith("data: ")) {
              e.data = JSON.parse(line.slice(6));
              isEvent = true;
            }
          }
          if (isEvent) events.push(e);
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    status: res.status, headers: res.headers, events, comments, ended,
    next: (match, timeoutMs = 15_000) => until("a matching event", async () => events.find(match), timeoutMs, 20),
    close: () => abort.abort(),
  };
}
