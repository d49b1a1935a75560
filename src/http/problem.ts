// The one place that maps errors to HTTP: domain codes → status + RFC 9457 problem+json. 5xx bodies never echo
// internal messages; everything else explains what to do.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError, ItemError, type ErrorCode } from "../domain/errors.js";
import { isDatabaseUnavailable } from "../db/errors.js";

/** Retry-After for "the database is unavailable or too busy": long enough for a pool to drain or a failover. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Problem `type` URIs are relative references to the problem catalogue in openapi.yaml / README. */
export function problemType(code: string): string {
  return `/problems/${code}`;
}

const STATUS: Record<ErrorCode, { status: number; title: string }> = {
  "validation-failed": { status: 400, title: "The request is not valid" },
  "not-found": { status: 404, title: "Not found" },
  "invalid-cursor": { status: 400, title: "The pagination cursor is not valid" },
  "not-ready": { status: 503, title: "Not ready" },
  "invalid-start-at": { status: 400, title: "startAt must be an RFC 3339 time with an offset" },
  "virtual-machine-unknown": { status: 422, title: "No such virtual machine" },
  "virtual-machine-gone": { status: 422, title: "The virtual machine is gone" },
  "maintenance-unknown": { status: 422, title: "The virtual machine's maintenance has not been read yet" },
  "no-pending-maintenance": { status: 422, title: "The virtual machine has no pending maintenance" },
  "self-service-not-allowed": { status: 422, title: "Azure does not allow customer-initiated maintenance for this virtual machine" },
  "outside-self-service-window": { status: 422, title: "startAt is outside the self-service window" },
  "start-too-soon": { status: 422, title: "startAt is too soon" },
  "too-close-to-window-end": { status: 422, title: "startAt is too close to the end of the self-service window" },
  blackout: { status: 409, title: "startAt falls in a blackout" },
  "active-booking-exists": { status: 409, title: "The virtual machine already has an active booking" },
  "idempotency-key-reused": { status: 422, title: "The Idempotency-Key was used with a different request" },
  "booking-not-scheduled": { status: 409, title: "The booking is no longer scheduled" },
  "precondition-required": { status: 428, title: "If-Match is required" },
  "precondition-failed": { status: 412, title: "The booking has changed since it was read" },
  "booking-batch-refused": { status: 422, title: "Items of an atomic batch cannot be booked; nothing was created" },
  unauthorized: { status: 401, title: "Authentication required" },
  forbidden: { status: 403, title: "Forbidden" },
  "scope-assignment-exists": { status: 409, title: "The principal already has this scope assignment" },
  "invalid-time-zone": { status: 400, title: "timeZone is not an IANA time zone" },
  "invalid-rrule": { status: 400, title: "rrule is not a supported RFC 5545 recurrence rule" },
  "invalid-duration": { status: 400, title: "duration is not valid for this rule" },
  "invalid-blackout": { status: 400, title: "The blackout's times are not valid" },
  "invalid-selector": { status: 400, title: "The VM selector is not valid" },
  "invalid-time-range": { status: 400, title: "from and to do not make a range this service evaluates" },
  "invalid-group-policy": { status: 400, title: "The maintenance group's policy is not valid" },
  "maintenance-group-unknown": { status: 422, title: "The policy names a maintenance group that does not exist" },
  "maintenance-group-cycle": { status: 409, title: "The groups' `after` would go round in a circle" },
  "maintenance-window-unknown": { status: 422, title: "The policy names a maintenance window that does not exist" },
  "maintenance-window-in-use": { status: 409, title: "Maintenance groups book into this maintenance window" },
  "webhooks-not-configured": { status: 503, title: "Webhooks are not configured on this service" },
  "invalid-webhook-url": { status: 400, title: "The webhook URL is not one this service sends to" },
  "delivery-in-progress": { status: 409, title: "The delivery is being attempted right now" },
  "event-stream-full": { status: 503, title: "The service holds as many event streams as it may" },
  "event-stream-gap": { status: 410, title: "The events after Last-Event-ID cannot all be replayed" },
  "scope-assignment-names-caller": { status: 409, title: "The assignment would restrict the admin making it" },
};

/** Codes for errors raised by the HTTP framework itself (body parsing, limits, routing). */
const FRAMEWORK: Record<number, { code: string; title: string }> = {
  400: { code: "validation-failed", title: "The request is not valid" },
  404: { code: "not-found", title: "Not found" },
  405: { code: "method-not-allowed", title: "Method not allowed" },
  406: { code: "not-acceptable", title: "Not acceptable" },
  408: { code: "request-timeout", title: "Request timeout" },
  413: { code: "payload-too-large", title: "The request body is too large" },
  415: { code: "unsupported-media-type", title: "Unsupported media type" },
  429: { code: "too-many-requests", title: "Too many requests" },
  431: { code: "headers-too-large", title: "Request headers too large" },
  503: { code: "unavailable", title: "Service unavailable" },
};

/** Every problem code with its status and title, for the catalogue in openapi.yaml (so it cannot drift). */
export function problemCatalogue(): { code: string; status: number; title: string }[] {
  const domain = Object.entries(STATUS).map(([code, { status, title }]) => ({ code, status, title }));
  const framework = Object.entries(FRAMEWORK).map(([status, { code, title }]) => ({ code, status: Number(status), title }));
  const all = [...domain, ...framework, { code: "bad-request", status: 400, title: "Bad request" }, { code: "internal", status: 500, title: "Internal error" }];
  return [...new Map(all.map((p) => [p.code, p])).values()].sort((a, b) => a.status - b.status || a.code.localeCompare(b.code));
}

interface ProblemFields {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

/** Extension members as JSON: a batch's failed items (ItemError) become `{index, status, problem}`. */
function extensionJson(value: unknown): unknown {
  if (value instanceof ItemError) return itemProblem(value);
  return Array.isArray(value) ? value.map(extensionJson) : value;
}

/** A domain error's problem document, without the members of the request (instance, requestId). */
export function problemOf(error: DomainError): ProblemFields & Record<string, unknown> {
  const { status, title } = STATUS[error.code];
  const extensions = Object.fromEntries(Object.entries(error.extensions).map(([name, value]) => [name, extensionJson(value)]));
  return { type: problemType(error.code), title, status, detail: error.message, code: error.code, ...extensions };
}

/** A failed item of a batch: its position, the status and the problem document POST /v1/bookings would answer. */
export function itemProblem({ index, error }: ItemError) {
  const problem = problemOf(error);
  return { index, status: problem.status, problem };
}

function send(reply: FastifyReply, request: FastifyRequest, problem: ProblemFields & Record<string, unknown>) {
  return reply
    .code(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({ ...problem, instance: request.url.split("?")[0], requestId: request.id, ...(request.clientRequestId ? { clientRequestId: request.clientRequestId } : {}) });
}

function validationDetail(error: FastifyError): { detail: string; errors?: unknown[] } {
  if (!error.validation) return { detail: error.message };
  const errors = error.validation.map((v) => ({
    location: error.validationContext ?? "body",
    path: v.instancePath || "/",
    message: v.message ?? "is not valid",
    ...(v.keyword === "additionalProperties" ? { field: (v.params as { additionalProperty?: string }).additionalProperty } : {}),
  }));
  const first = errors[0];
  const where = `${first.location}${first.path === "/" ? "" : first.path}`;
  const field = "field" in first ? ` (${String(first.field)})` : "";
  return { detail: `${where} ${first.message}${field}`, errors };
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DomainError) {
      // A refusal that passes (a limit, not a rule) says when to try again.
      const retryAfter = error.extensions.retryAfterSeconds;
      if (typeof retryAfter === "number") reply.header("retry-after", String(retryAfter));
      return send(reply, request, problemOf(error));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const known = FRAMEWORK[status] ?? { code: "bad-request", title: "Bad request" };
      const { detail, errors } = status === 400 ? validationDetail(error) : { detail: error.message, errors: undefined };
      return send(reply, request, { type: problemType(known.code), title: known.title, status, detail, code: known.code, ...(errors ? { errors } : {}) });
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, "database unavailable");
      reply.header("retry-after", String(DATABASE_RETRY_AFTER_SECONDS));
      return send(reply, request, {
        type: problemType("unavailable"), title: "Service unavailable", status: 503, code: "unavailable",
        detail: `The database is unavailable or too busy. Retry after ${DATABASE_RETRY_AFTER_SECONDS} seconds; quote the requestId if it persists.`,
      });
    }
    request.log.error({ err: error }, "request failed");
    const code = status === 503 ? "unavailable" : "internal";
    return send(reply, request, {
      type: problemType(code),
      title: status === 503 ? "Service unavailable" : "Internal error",
      status: status >= 500 ? status : 500,
      detail: "The service could not complete the request. Quote the requestId when reporting it.",
      code,
    });
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, request, { type: problemType("not-found"), title: "Not found", status: 404, detail: `No route ${request.method} ${request.url.split("?")[0]}`, code: "not-found" }),
  );
}
