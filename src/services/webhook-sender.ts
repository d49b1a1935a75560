// Sends one webhook request. The address actually connected to is checked, not just the one seen at
// registration: the agent's `lookup` resolves through the same resolver and refuses a name that now points at a
// forbidden address (DNS rebinding), IP literals are checked before connecting, and the socket's remote address
// once connected. Redirects are never followed (node:http does not), so a 3xx is just a failed attempt.
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { lookup as dnsLookup } from "node:dns/promises";
import { checkWebhookUrl, forbiddenAddress } from "../domain/webhook-address.js";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name → addresses. Injectable so tests can make a name change its answer between registration and delivery. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export class ForbiddenAddressError extends Error {
  constructor(hostname: string, address: string, why: string) {
    super(`${hostname} resolves to a ${why} address (${address}): refused`);
    this.name = "ForbiddenAddressError";
  }
}

/** Every address the name resolves to must be allowed (one bad answer refuses the name). */
export async function resolveAllowed(resolver: Resolver, hostname: string): Promise<ResolvedAddress[]> {
  const addresses = await resolver(hostname);
  if (addresses.length === 0) throw new Error(`${hostname} does not resolve`);
  for (const a of addresses) {
    const why = forbiddenAddress(a.address);
    if (why) throw new ForbiddenAddressError(hostname, a.address, why);
  }
  return addresses;
}

function guardedLookup(resolver: Resolver, allowInsecure: boolean): LookupFunction {
  return (hostname, options, callback) => {
    const resolved = allowInsecure ? resolver(hostname) : resolveAllowed(resolver, hostname);
    resolved.then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        if (options.all) (callback as (e: null, a: ResolvedAddress[]) => void)(null, wanted);
        else if (wanted.length === 0) callback(Object.assign(new Error(`${hostname} has no IPv${options.family} address`), { code: "ENOTFOUND" }), "", 0);
        else callback(null, wanted[0].address, wanted[0].family);
      },
      (error: Error) => callback(error, "", 0),
    );
  };
}

export interface SendResult {
  /** null: no HTTP answer (refused address, network error, timeout). */
  status: number | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookSender {
  send(url: string, headers: Record<string, string>, body: string): Promise<SendResult>;
  close(): void;
}

export interface SenderOptions {
  timeoutMs: number;
  allowInsecure: boolean;
  resolver?: Resolver;
}

/** Keep this much of an error answer's body in `lastError`: enough to debug, not a copy of the receiver's page. */
const ERROR_BODY_CHARS = 200;

export function createWebhookSender(opts: SenderOptions): WebhookSender {
  const lookup = guardedLookup(opts.resolver ?? systemResolver, opts.allowInsecure);
  const agents = { "http:": new http.Agent({ keepAlive: true, lookup }), "https:": new https.Agent({ keepAlive: true, lookup }) };

  function send(rawUrl: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = performance.now();
    const done = (status: number | null, error: string | null): SendResult => ({ status, error, durationMs: performance.now() - started });
    const checked = checkWebhookUrl(rawUrl, opts.allowInsecure);
    if (!checked.ok) return Promise.resolve(done(null, `refused: the URL ${checked.reason}`));
    const { url } = checked;
    return new Promise((resolve) => {
      const request = (url.protocol === "https:" ? https : http).request(url, {
        method: "POST",
        agent: agents[url.protocol as "http:" | "https:"],
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      });
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
      const finish = (result: SendResult) => {
        clearTimeout(timer);
        resolve(result);
      };
      request.on("socket", (socket) => {
        if (opts.allowInsecure) return;
        // A literal IP host skips `lookup`; every new connection is checked once it is made.
        socket.once("connect", () => {
          const why = socket.remoteAddress ? forbiddenAddress(socket.remoteAddress) : "unknown";
          if (why) request.destroy(new ForbiddenAddressError(url.hostname, socket.remoteAddress ?? "?", why));
        });
      });
      request.on("response", (response) => {
        const status = response.statusCode ?? 0;
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (text.length < ERROR_BODY_CHARS) text += chunk;
        });
        response.on("end", () => finish(done(status, status >= 200 && status < 300 ? null : `HTTP ${status}${text ? `: ${text.slice(0, ERROR_BODY_CHARS)}` : ""}`)));
        response.on("error", (error) => finish(done(status, error.message)));
      });
      request.on("error", (error) => finish(done(null, error instanceof ForbiddenAddressError ? `refused: ${error.message}` : error.message)));
      request.end(body);
    });
  }

  return {
    send,
    close() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  };
}
