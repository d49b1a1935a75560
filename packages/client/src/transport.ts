// Every request goes through here: a bearer token (static, or from an @azure/identity credential, cached until
// shortly before it expires) and bounded retries. Retried: 429 and 503 (the service did not act), after
// Retry-After when given; and network failures — a lost response — only for requests that are safe to repeat
// (GET/HEAD, or carrying an Idempotency-Key, which the service replays instead of acting twice).
import type { TokenCredential } from "@azure/identity";

export interface RetryOptions {
  /** Tries per request, the first included. Default 5. */
  maxAttempts?: number;
  /** The longest single wait; a Retry-After longer than this is not waited for (the error is returned). Default 60 s. */
  maxDelayMs?: number;
  /** First backoff when the server gives no Retry-After (doubles, with full jitter). Default 500 ms. */
  baseDelayMs?: number;
}

/** A static token; or tokens for `scope` from `credential` (null: DefaultAzureCredential, loaded on first use). */
export type Auth = { token: string } | { credential: TokenCredential | null; scope: string } | null;

export type Transport = (request: Request) => Promise<Response>;

const RETRY_STATUSES = new Set([429, 503]);

export function createTransport(auth: Auth, retry: RetryOptions = {}, fetchImpl: typeof fetch = fetch): Transport {
  const maxAttempts = retry.maxAttempts ?? 5;
  const maxDelayMs = retry.maxDelayMs ?? 60_000;
  const baseDelayMs = retry.baseDelayMs ?? 500;
  const authorization = authorizationHeader(auth);

  return async (request) => {
    const safeToRepeat = ["GET", "HEAD"].includes(request.method) || request.headers.has("idempotency-key");
    for (let attempt = 1; ; attempt++) {
      const sent = request.clone(); // the original stays unread, so every try sends the same body and headers
      const header = await authorization();
      if (header) sent.headers.set("authorization", header);
      const backoff = Math.random() * baseDelayMs * 2 ** (attempt - 1);
      let response: Response;
      try {
        response = await fetchImpl(sent);
      } catch (error) {
        if (!safeToRepeat || attempt >= maxAttempts) throw error;
        await sleep(Math.min(backoff, maxDelayMs));
        continue;
      }
      if (!RETRY_STATUSES.has(response.status) || attempt >= maxAttempts) return response;
      const wait = retryAfterMs(response.headers.get("retry-after")) ?? Math.min(backoff, maxDelayMs);
      if (wait > maxDelayMs) return response;
      await response.body?.cancel();
      await sleep(wait);
    }
  };
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function authorizationHeader(auth: Auth): () => Promise<string | null> {
  if (!auth) return async () => null;
  if ("token" in auth) return async () => `Bearer ${auth.token}`;
  // Some credentials (Azure CLI, developer tools) start a process per call: keep the token until 2 min before expiry.
  let cached: { token: string; expiresOnTimestamp: number } | null = null;
  let credential = auth.credential;
  return async () => {
    if (!cached || cached.expiresOnTimestamp - Date.now() < 120_000) {
      // Imported lazily: @azure/identity takes a noticeable part of a second to load, and most local runs need no token.
      credential ??= new (await import("@azure/identity")).DefaultAzureCredential();
      const token = await credential.getToken(auth.scope);
      if (!token) throw new Error(`the credential returned no token for scope ${auth.scope}`);
      cached = token;
    }
    return `Bearer ${cached.token}`;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
