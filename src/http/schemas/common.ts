// Shared schemas: the Problem document, ids, timestamps and pagination. Routes, validation and openapi.yaml all
// come from these objects (see test/integration/openapi-contract.test.ts).
import { Type, type TSchema } from "typebox";

export const Uuid = Type.String({ format: "uuid", description: "Identifier (UUID).", examples: ["0b5e3c2a-7d4f-4e58-9a51-2f1f0f6f3c11"] });
export const Timestamp = Type.String({ format: "date-time", description: "RFC 3339 time in UTC.", examples: ["2026-11-27T17:00:00.000Z"] });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export const Problem = Type.Object(
  {
    type: Type.String({ description: "Relative URI of the problem type; see the problem catalogue in the API description.", examples: ["/problems/not-found"] }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: "Stable machine-readable code; the last segment of `type`.", examples: ["not-found"] }),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({ location: Type.String(), path: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }),
        { description: "Every schema violation, for `validation-failed`." },
      ),
    ),
  },
  { $id: "Problem", additionalProperties: true, description: "RFC 9457 problem details." },
);

export const ProblemRef = Type.Ref("Problem");

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: "The request is not valid (`validation-failed`, `invalid-cursor`).",
  404: "No such resource (`not-found`).",
  409: "Conflicts with the resource's current state.",
  412: "`If-Match` does not match the current ETag.",
  413: "The request body is too large.",
  415: "Unsupported content type.",
  422: "The request is well-formed but breaks a rule.",
  428: "`If-Match` is required.",
  500: "Internal error; the body never carries internal details.",
  503: "Not ready (database unreachable or migrations pending).",
};

/** Error responses (application/problem+json), keyed by status. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: PROBLEM_DESCRIPTIONS[s] ?? "Problem details.", content: { "application/problem+json": { schema: Type.Ref("Problem") } } }]),
  );
}

export const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: "Page size (1–1000)." });
export const Cursor = Type.String({ maxLength: 512, description: "Opaque cursor from a previous page's `nextLink`." });

export function page<T extends TSchema>(item: T, description: string) {
  return Type.Object(
    {
      value: Type.Array(item),
      nextLink: Type.Union([Type.String(), Type.Null()], { description: "URL of the next page; null on the last page." }),
    },
    { description },
  );
}

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
