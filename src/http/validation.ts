// Request validation. Query strings, path parameters and headers arrive as text, so their validator coerces
// ("10" → 10, a lone `state=x` → ["x"]); a JSON body arrives typed, so its validator never coerces: `"note": 5`
// is a 400, not "5". Neither removes unknown members: schemas say `additionalProperties: false` and mean it.
import { Ajv, type Options } from "ajv";
import addFormats from "ajv-formats";
import { fullFormats } from "ajv-formats/dist/formats.js";
import type { FastifySchemaCompiler } from "fastify";

const rfc3339 = fullFormats["date-time"] as { validate: (s: string) => boolean };

/**
 * RFC 3339 `date-time` that is also a time JavaScript can hold. RFC 3339 allows a leap second
 * (`2026-12-31T23:59:60Z`) and `+hhmm` / `+hh` offsets; `new Date()` makes Invalid Date of some of those,
 * which would reach the database as a 500. Every date filter goes through this one format.
 */
const dateTime = (s: string) => rfc3339.validate(s) && !Number.isNaN(Date.parse(s));

function ajv(options: Options): Ajv {
  const instance = new Ajv({ removeAdditional: false, useDefaults: true, allErrors: false, strict: false, ...options });
  (addFormats as unknown as (a: Ajv) => void)(instance);
  instance.addFormat("date-time", { type: "string", validate: dateTime });
  return instance;
}

const coercing = ajv({ coerceTypes: "array" });
const strict = ajv({ coerceTypes: false });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === "body" ? strict : coercing).compile(schema) as ReturnType<FastifySchemaCompiler<object>>;
