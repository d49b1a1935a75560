// POST /v1/booking-batches: many creates in one request (src/services/booking-batches.ts).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { bookingDeps, type AppDeps } from "../../app.js";
import { ItemError } from "../../domain/errors.js";
import { bookingJson } from "../../representations.js";
import { createBookingBatch, type BookingBatchAnswer } from "../../services/booking-batches.js";
import { requestCaller } from "../identity.js";
import { itemProblem } from "../problem.js";
import { BOOKING_BATCH_BODY_LIMIT, BOOKING_BATCH_MAX_ITEMS, BookingBatchCreate, BookingBatchResult } from "../schemas/booking-batches.js";
import { BOOKING_PROBLEM_EXAMPLES, idempotencyHeaders } from "../schemas/bookings.js";
import { problemsFor } from "../schemas/common.js";

const BATCH = "0d7c1b9e-5f1a-4c55-9d43-3b8f6f0b9a27";
const EXAMPLES: Record<string, Record<string, unknown>> = {
  ...BOOKING_PROBLEM_EXAMPLES,
  "validation-failed": { detail: `body/items must NOT have more than ${BOOKING_BATCH_MAX_ITEMS} items`, errors: [{ location: "body", path: "/items", message: `must NOT have more than ${BOOKING_BATCH_MAX_ITEMS} items` }] },
  "idempotency-key-reused": { detail: `Idempotency-Key "nightly-2026-11-27" was already used with a different request (booking batch ${BATCH}). Use a new key for a new request.` },
  "booking-batch-refused": {
    detail: "1 of 2 items cannot be booked (the first: item 1, start-too-soon); an atomic batch creates all or none, so nothing was created. `results` says why for each; fix or leave out those items and send the batch again.",
    created: 0,
    failed: 1,
    results: [{ index: 1, status: 422, problem: { type: "/problems/start-too-soon", title: "startAt is too soon", status: 422, code: "start-too-soon", ...BOOKING_PROBLEM_EXAMPLES["start-too-soon"] } }],
  },
};

function batchJson(answer: BookingBatchAnswer) {
  const results = answer.results.map((r) => (r instanceof ItemError ? itemProblem(r) : { index: r.index, status: 201, booking: bookingJson(r.booking) }));
  const created = results.filter((r) => r.status === 201).length;
  return { id: answer.id, atomic: answer.atomic, results, created, failed: results.length - created };
}

export const bookingBatchRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.post("/v1/booking-batches", {
    config: { role: "Maintenance.Book", scoped: true },
    bodyLimit: BOOKING_BATCH_BODY_LIMIT,
    schema: {
      operationId: "createBookingBatch",
      tags: ["bookings"],
      summary: "Book many VMs in one request",
      description:
        `Up to ${BOOKING_BATCH_MAX_ITEMS} items (body at most ${BOOKING_BATCH_BODY_LIMIT / 1024 / 1024} MiB), each decided as POST /v1/bookings decides it, in order; the answer has each item's ` +
        "booking (201) or the problem POST /v1/bookings would answer for it (its status and code). `atomic: true` creates all or none: when any item " +
        "fails, 422 `booking-batch-refused` lists those items and nothing is written. Send an Idempotency-Key to retry safely: the same key and body " +
        "replay the first answer (with `idempotent-replayed: true`, the bookings as they are now); a refused batch is not remembered.",
      headers: idempotencyHeaders("returns the first answer (200, no second booking of any item)"),
      body: BookingBatchCreate,
      response: {
        200: {
          description: "Each item's booking or problem.",
          headers: { "idempotent-replayed": { type: "string", enum: ["true"], description: "Present when this is the answer to an earlier request with this Idempotency-Key." } },
          content: { "application/json": { schema: BookingBatchResult } },
        },
        ...problemsFor(["validation-failed", "payload-too-large", "unsupported-media-type", "booking-batch-refused", "idempotency-key-reused"], EXAMPLES),
      },
    },
  }, async (request, reply) => {
    const answer = await createBookingBatch(bookingDeps(deps), requestCaller(request), request.body, request.headers["idempotency-key"]);
    if (answer.replayed) reply.header("idempotent-replayed", "true");
    return batchJson(answer);
  });
};
