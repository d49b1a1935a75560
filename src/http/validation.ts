// Request validation. Query strings, path parameters and headers arrive as text, so their validator coerces
// ("10" → 10, a lone `state=x` → ["x"]); a JSON body arrives typed, so its validator never coerces: `"note": 5`
// is a 400, not "5". Neither removes unknown members: schemas say `additionalProperties: false` and mean it.
import { Ajv, type Options } from "ajv";
import addFormats from "ajv-formats";
import type { FastifySchemaCompiler } from "fastify";

function ajv(options: Options): Ajv {
  const instance = new Ajv({ removeAdditional: false, useDefaults: true, allErrors: false, strict: false, ...options });
  (addFormats as unknown as (a: Ajv) => void)(instance);
  return instance;
}

const coercing = ajv({ coerceTypes: "array" });
const strict = ajv({ coerceTypes: false });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === "body" ? strict : coercing).compile(schema) as ReturnType<FastifySchemaCompiler<object>>;
