// Edge hardening that is not about who the caller is: security headers, the per-caller rate limit, request
// ids that cannot inject into headers or logs, and what the logger must never print.
import { randomUUID } from "node:crypto";
import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { isApiRequest } from "./auth/plugin.js";
import { PROBLEM_CONTENT_TYPE, problemType } from "./problem.js";

/**
 * pino `redact` paths for main.ts's logger. Fastify's request serializer logs no headers today; these keep
 * tokens out even when someone logs `request.headers` or raises the serializer's detail.
 */
export const LOG_REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["proxy-authorization"]',
  "headers.authorization",
  "authorization",
  "token",
  "accessToken",
];

// Every request gets an id the service generates: it keys the log lines, the audit trail and problem documents,
// so a caller cannot make two requests look like one or pose as another's. The caller's own x-request-id (to follow
// a request through a proxy or the caller's logs) is kept beside it as `clientRequestId`, only when it cannot
// break a header or a log line.
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const requestId = (): string => randomUUID();

export function clientRequestId(raw: IncomingMessage): string | null {
  const incoming = raw.headers["x-request-id"];
  return typeof incoming === "string" && CLIENT_REQUEST_ID.test(incoming) ? incoming : null;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The caller's x-request-id when well-formed, else null; echoed as `x-client-request-id`. */
    clientRequestId: string | null;
  }
}

/** Makes `request.clientRequestId` available and echoes it on every response, next to our own `x-request-id`. */
export function registerRequestIds(app: FastifyInstance): void {
  app.decorateRequest("clientRequestId", null);
  app.addHook("onRequest", async (request) => {
    request.clientRequestId = clientRequestId(request.raw);
  });
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
    if (request.clientRequestId) reply.header("x-client-request-id", request.clientRequestId);
  });
}

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  // The API answers JSON only, so its documents may load nothing and be framed nowhere; /docs overrides the
  // CSP with swagger-ui's own (src/http/openapi.ts).
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    referrerPolicy: { policy: "no-referrer" },
  });
}

/** Returns the rate-limit step for app.ts to run between authentication and authorisation. */
export async function rateLimitStep(app: FastifyInstance, perMinute: number) {
  await app.register(rateLimit, { global: false });
  return app.rateLimit({
    max: perMinute,
    timeWindow: 60_000,
    // Per principal, so callers behind one proxy do not share a budget; unauthenticated requests per address.
    keyGenerator: (request: FastifyRequest) =>
      request.principal && request.principal.kind !== "anonymous" ? `principal:${request.principal.id}` : `ip:${request.ip}`,
    allowList: (request: FastifyRequest) => !isApiRequest(request),
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`Too many requests: at most ${context.max} per minute. Retry after ${context.after}.`), { statusCode: 429 }),
  });
}

/** True when any string in the value (recursively) holds U+0000. */
function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (depth > 64 || value === null || typeof value !== "object") return false;
  return Object.values(value).some((v) => hasNul(v, depth + 1));
}

/**
 * PostgreSQL text cannot hold U+0000: such a string would fail in the database as a 500. Refused up front, in
 * the path, query and body alike, whatever the route's schema says.
 */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook("preValidation", async (request) => {
    for (const [location, value] of [["path", request.params], ["querystring", request.query], ["body", request.body]] as const) {
      if (hasNul(value)) throw Object.assign(new Error(`${location} must not contain NUL (U+0000) characters`), { statusCode: 400 });
    }
  });
}

/**
 * The API takes JSON in UTF-8 only (RFC 8259 §8.1): Fastify would read `text/plain` as a string and ignore a
 * declared charset. Both are refused with 415 before parsing.
 */
export function registerContentTypeRules(app: FastifyInstance): void {
  app.removeContentTypeParser("text/plain");
  app.addHook("preParsing", async (request) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers["content-type"] ?? "")?.[1];
    if (charset && charset.toLowerCase() !== "utf-8") {
      throw Object.assign(new Error(`Send JSON as UTF-8; charset ${charset.slice(0, 32)} is not supported.`), { statusCode: 415 });
    }
  });
}

const CLIENT_ERRORS: Record<string, [number, string, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, "request-timeout", "Request timeout", "The request was not received in time."],
  HPE_HEADER_OVERFLOW: [431, "headers-too-large", "Request headers too large", "The request headers exceed 16 KiB."],
};

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser rejects (oversized headers, malformed HTTP) never
 * reach a route, so they get their problem document here, like every other error.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, code, title, detail] = CLIENT_ERRORS[error.code ?? ""] ?? [400, "bad-request", "Bad request", "The request is not valid HTTP."];
  const body = JSON.stringify({ type: problemType(code), title, status, detail, code, requestId: randomUUID() });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(error);
}
