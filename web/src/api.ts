// The page's only way to the service: same-origin calls to the API, with a bearer token when signed in.
// Problem documents become ApiErrors that say what went wrong in words.
import type { Problem } from "./types";
import { localTime, utcTime } from "./time";

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem | null, message: string) {
    super(message);
  }
}

/** A problem document as one or two sentences for people, with the accepted times in their own zone. */
export function problemInWords(problem: Problem): string {
  const parts = [problem.detail && problem.detail !== problem.title ? `${problem.title}: ${problem.detail}` : problem.title];
  if (problem.errors?.length) parts.push(problem.errors.map((e) => `${e.field ?? e.path} ${e.message}`).join("; "));
  const at = (iso: string) => `${localTime(iso)} (${utcTime(iso)})`;
  if (problem.nextAllowedAt) parts.push(`Maintenance may start again from ${at(problem.nextAllowedAt)}.`);
  if (problem.earliestStartAt && problem.latestStartAt) parts.push(`Choose a time from ${at(problem.earliestStartAt)} to ${at(problem.latestStartAt)}.`);
  else if (problem.earliestStartAt) parts.push(`Choose a time from ${at(problem.earliestStartAt)} on.`);
  return parts.join(" ");
}

export interface ConditionalResult<T> {
  /** null when the server answered 304: the caller's copy is current. */
  body: T | null;
  etag: string | null;
}

export interface Api {
  get<T>(path: string): Promise<T>;
  /** GET with If-None-Match: a 304 comes back as `body: null`. */
  getIfChanged<T>(path: string, etag: string | null): Promise<ConditionalResult<T>>;
  /** GET that also returns the ETag (a booking's version, for If-Match). */
  getWithEtag<T>(path: string): Promise<{ body: T; etag: string | null }>;
  send<T>(method: "POST" | "PATCH", path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  /** GET whose body is read as it arrives (the event stream); any status comes back as it is. */
  open(path: string, headers: Record<string, string>, signal?: AbortSignal): Promise<Response>;
}

export function createApi(token: () => Promise<string | null>): Api {
  async function raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
    const bearer = await token();
    return fetch(path, {
      method,
      // The page handles ETags itself, so the browser's cache must not answer 304s for it.
      cache: "no-store",
      headers: {
        accept: "application/json, application/problem+json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  }
  async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const res = await raw(method, path, body, headers);
    if (res.ok || res.status === 304) return res;
    const text = await res.text();
    let problem: Problem | null = null;
    try {
      problem = JSON.parse(text) as Problem;
    } catch {
      problem = null;
    }
    throw new ApiError(res.status, problem, problem ? problemInWords(problem) : `The service answered ${res.status}.`);
  }
  return {
    async get(path) {
      return (await request("GET", path)).json();
    },
    async getIfChanged(path, etag) {
      const res = await request("GET", path, undefined, etag ? { "if-none-match": etag } : {});
      return { body: res.status === 304 ? null : await res.json(), etag: res.headers.get("etag") };
    },
    async getWithEtag(path) {
      const res = await request("GET", path);
      return { body: await res.json(), etag: res.headers.get("etag") };
    },
    async send(method, path, body, headers) {
      return (await request(method, path, body, headers)).json();
    },
    open(path, headers, signal) {
      return raw("GET", path, undefined, { accept: "text/event-stream", ...headers }, signal);
    },
  };
}
