import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { AppDeps } from "../../app.js";
import { bookingEtag } from "../../domain/bookings-etag.js";
import type { BookingRecord } from "../../db/bookings-repo.js";
import { cancelBooking, createBooking, getBooking, updateBooking, type BookingDeps } from "../../services/bookings.js";
import { listBookingsPage } from "../../services/bookings-list.js";
import {
  BOOKING_PROBLEM_EXAMPLES, BookingCreate, BookingPage, BookingQuery, BookingUpdate, CreateHeaders, IfMatchHeaders, START_AT_RULE_CODES, etagHeader, locationHeader,
} from "../schemas/bookings.js";
import { IdParams, problemsFor } from "../schemas/common.js";
import { requestCaller } from "../identity.js";
import { nextLink } from "../pagination.js";
import { bookingJson } from "../../representations.js";
import type { BookingWarning } from "../../domain/booking-warnings.js";
import { bookingDeps } from "../../app.js";

const problems = (...codes: string[]) => problemsFor(codes, BOOKING_PROBLEM_EXAMPLES);
const BODY_PROBLEMS = ["validation-failed", "payload-too-large", "unsupported-media-type"];

/** A Booking response carrying headers (documented in openapi.yaml). */
function bookingResponse(description: string, headers: Record<string, object>) {
  return { description, headers, content: { "application/json": { schema: Type.Ref("Booking") } } };
}

export const bookingRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  // Read per request: the OpenAPI generator registers the routes without a database.
  const bookings = (): BookingDeps => bookingDeps(deps);
  const withEtag = (booking: BookingRecord, warnings: BookingWarning[] = []) => ({ etag: bookingEtag(booking.version), body: bookingJson(booking, warnings) });

  app.post("/v1/bookings", {
    config: { role: "Maintenance.Book", scoped: true },
    schema: {
      operationId: "createBooking",
      tags: ["bookings"],
      summary: "Book a time to start a VM's self-service maintenance",
      description: "At most one active (scheduled or running) booking per VM. Send an Idempotency-Key to retry safely.",
      headers: CreateHeaders,
      body: BookingCreate,
      response: {
        201: bookingResponse("The booking (new, or the one an earlier request with the same Idempotency-Key created).", {
          ...locationHeader(),
          ...etagHeader(),
          "idempotent-replayed": { type: "string", enum: ["true"], description: "Present when the booking was created by an earlier request with this Idempotency-Key." },
        }),
        ...problems(...BODY_PROBLEMS, ...START_AT_RULE_CODES, "virtual-machine-unknown", "active-booking-exists", "idempotency-key-reused"),
      },
    },
  }, async (request, reply) => {
    const { booking, replayed, warnings } = await createBooking(bookings(), requestCaller(request), request.body, request.headers["idempotency-key"]);
    const { etag, body } = withEtag(booking, warnings);
    if (replayed) reply.header("idempotent-replayed", "true");
    return reply.code(201).header("location", `/v1/bookings/${booking.id}`).header("etag", etag).send(body);
  });

  app.get("/v1/bookings", {
    config: { role: "Maintenance.Read", scoped: true, conditionalGet: true },
    schema: {
      operationId: "listBookings",
      tags: ["bookings"],
      summary: "Bookings, filtered, ordered by startAt",
      querystring: BookingQuery,
      response: { 200: BookingPage, ...problems("validation-failed", "invalid-cursor") },
    },
  }, async (request) => {
    const { limit = 100, cursor, ...filters } = request.query;
    const page = await listBookingsPage(deps.db.pool, filters, limit, cursor, request.scope);
    return { value: page.items.map((b) => bookingJson(b)), nextLink: nextLink(request, page.nextCursor) };
  });

  app.get("/v1/bookings/:id", {
    config: { role: "Maintenance.Read", scoped: true },
    schema: {
      operationId: "getBooking",
      tags: ["bookings"],
      summary: "One booking with its execution attempts",
      params: IdParams,
      response: { 200: bookingResponse("The booking.", etagHeader()), ...problems("validation-failed", "not-found") },
    },
  }, async (request, reply) => {
    const { etag, body } = withEtag(await getBooking(deps.db.pool, request.params.id, request.scope));
    return reply.header("etag", etag).send(body);
  });

  app.patch("/v1/bookings/:id", {
    config: { role: "Maintenance.Book", scoped: true },
    schema: {
      operationId: "updateBooking",
      tags: ["bookings"],
      summary: "Move a scheduled booking or change its note",
      description: "Requires If-Match. A new startAt must satisfy the same rules as on create.",
      params: IdParams,
      headers: IfMatchHeaders("Required (428 without it; 412 when the booking has changed since)."),
      body: BookingUpdate,
      response: {
        200: bookingResponse("The changed booking.", etagHeader()),
        ...problems(...BODY_PROBLEMS, "not-found", ...START_AT_RULE_CODES, "booking-not-scheduled", "precondition-failed", "precondition-required"),
      },
    },
  }, async (request, reply) => {
    const { booking, warnings } = await updateBooking(bookings(), requestCaller(request), request.params.id, request.headers["if-match"], request.body);
    const { etag, body } = withEtag(booking, warnings);
    return reply.header("etag", etag).send(body);
  });

  app.post("/v1/bookings/:id/cancel", {
    config: { role: "Maintenance.Book", scoped: true },
    schema: {
      operationId: "cancelBooking",
      tags: ["bookings"],
      summary: "Cancel a scheduled booking",
      description: "No request body. Only a scheduled booking can be cancelled; otherwise 409 with `currentState`.",
      params: IdParams,
      headers: IfMatchHeaders("Optional; when sent, the booking is cancelled only if it has not changed since (412 otherwise)."),
      response: { 200: bookingResponse("The cancelled booking.", etagHeader()), ...problems("validation-failed", "not-found", "booking-not-scheduled", "precondition-failed") },
    },
  }, async (request, reply) => {
    const booking = await cancelBooking(bookings(), requestCaller(request), request.params.id, request.headers["if-match"]);
    const { etag, body } = withEtag(booking);
    return reply.header("etag", etag).send(body);
  });
};
