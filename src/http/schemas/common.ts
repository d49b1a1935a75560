// Shared schemas: the Problem document, ids, timestamps and pagination. Routes, validation and openapi.yaml all
// come from these objects (see test/integration/openapi-contract.test.ts).
import { Type, type Static, type TSchema } from "typebox";
import { problemCatalogue, problemType } from "../problem.js";

export const Uuid = Type.String({ format: "uuid", description: "Identifier (UUID).", examples: ["0b5e3c2a-7d4f-4e58-9a51-2f1f0f6f3c11"] });
export const Timestamp = Type.String({ format: "date-time", description: "RFC 3339 time in UTC.", examples: ["2026-11-27T17:00:00.000Z"] });
/**
 * `T | null` for response schemas, written `type: [T, "null"]` rather than `anyOf`: for an anyOf the response
 * serializer (fast-json-stringify) runs ajv on every value to choose the branch, which was the largest cost of the
 * VM list (see `npm run bench api`). Only for schemas with a single `type`.
 */
export function Nullable<T extends TSchema>(schema: T, options: { description?: string; examples?: unknown[] } = {}) {
  const type = (schema as { type?: unknown }).type;
  if (typeof type !== "string") throw new Error("Nullable() needs a schema with a single type");
  return Type.Unsafe<Static<T> | null>({ ...schema, ...options, type: [type, "null"] });
}

export const NullableTimestamp = Nullable(Timestamp);

export const Problem = Type.Object(
  {
    type: Type.String({ description: "Relative URI of the problem type; see the problem catalogue in the API description.", examples: ["/problems/not-found"] }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: "Stable machine-readable code; the last segment of `type`.", examples: ["not-found"] }),
    requestId: Type.Optional(Type.String({ description: "The id the service gave this request (also the `x-request-id` response header and in the log line): quote it when reporting a problem." })),
    clientRequestId: Type.Optional(Type.String({ description: "The `x-request-id` the caller sent, when well-formed (also echoed as `x-client-request-id`)." })),
    errors: Type.Optional(
      Type.Array(
        Type.Object({ location: Type.String(), path: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }),
        { description: "Every schema violation, for `validation-failed`." },
      ),
    ),
    selfServiceWindow: Type.Optional(
      Type.Object({ start: NullableTimestamp, end: NullableTimestamp }, { description: "The VM's self-service window, for the booking start-time rules." }),
    ),
    scheduledWindow: Type.Optional(Type.Object({ start: NullableTimestamp, end: NullableTimestamp }, { description: "For `self-service-not-allowed`: when Azure will maintain the VM itself." })),
    earliestStartAt: Type.Optional(Type.Union([Timestamp, Type.Null()], { description: "The earliest startAt the rules accept now." })),
    latestStartAt: Type.Optional(Type.Union([Timestamp, Type.Null()], { description: "The latest startAt the rules accept; null when the window has no end." })),
    blackout: Type.Optional(Type.String({ description: "For `blackout`: the name of the blackout startAt falls in (GET /v1/blackouts/{name}).", examples: ["black-friday"] })),
    nextAllowedAt: Type.Optional(Type.Union([Timestamp, Type.Null()], { description: "For `blackout`: the first time after startAt outside every blackout that applies to the VM (adjacent and overlapping ones followed); null when none within a year." })),
    existingBookingId: Type.Optional(Type.Union([Uuid, Type.Null()], { description: "For `active-booking-exists` and `idempotency-key-reused`: the booking already there." })),
    pointer: Type.Optional(Type.String({ description: "For invalid definitions: JSON Pointer (RFC 6901) to the member at fault in the request body.", examples: ["/rrule", "/ranges/0/end"] })),
    currentState: Type.Optional(Type.String({ description: "For `booking-not-scheduled`: the booking's state now.", examples: ["running"] })),
    results: Type.Optional(Type.Array(Type.Ref("BookingBatchItem"), { description: "For `booking-batch-refused`: each item that cannot be booked, with its problem." })),
    created: Type.Optional(Type.Integer({ description: "For `booking-batch-refused`: 0." })),
    failed: Type.Optional(Type.Integer({ description: "For `booking-batch-refused`: how many items cannot be booked." })),
  },
  { $id: "Problem", additionalProperties: true, description: "RFC 9457 problem details." },
);

/**
 * The one way routes declare their errors: exactly the problem codes a route can answer with (plus `internal`,
 * which any route can), grouped by status; each code gets an example document (its `detail` and extension
 * members from `examples`, else the title).
 */
export function problemsFor(codes: readonly string[], examples: Record<string, Record<string, unknown>> = {}) {
  const catalogue = new Map(problemCatalogue().map((p) => [p.code, p]));
  const byStatus = new Map<number, { code: string; title: string; status: number }[]>();
  for (const code of new Set([...codes, "internal"])) {
    const p = catalogue.get(code);
    if (!p) throw new Error(`No problem code ${code} in the catalogue`);
    byStatus.set(p.status, [...(byStatus.get(p.status) ?? []), p]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      {
        description: list.map((p) => `\`${p.code}\`: ${p.title}.`).join(" "),
        content: {
          "application/problem+json": {
            schema: Type.Ref("Problem"),
            examples: Object.fromEntries(
              list.map((p) => [p.code, { value: { type: problemType(p.code), title: p.title, status, code: p.code, detail: p.title, ...examples[p.code] } }]),
            ),
          },
        },
      },
    ]),
  );
}

export const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: "Page size (1–1000)." });
export const Cursor = Type.String({ maxLength: 512, description: "Opaque cursor from a previous page's `nextLink`." });

export function page<T extends TSchema>(item: T, description: string) {
  return Type.Object(
    {
      value: Type.Array(item),
      nextLink: Nullable(Type.String(), { description: "URL of the next page; null on the last page." }),
    },
    { description },
  );
}

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
