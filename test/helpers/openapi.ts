// Validates real responses against the committed openapi.yaml: status documented, content type documented,
// body matching the schema. Integration tests call `expectContract(res)` on every response they check.
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { ValidateFunction } from "ajv";
import type { Response } from "supertest";
import { parse } from "yaml";
import { OPENAPI_FILE } from "../../src/http/openapi.js";

interface OpenApiDoc {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
  components: object;
}

const doc = parse(readFileSync(OPENAPI_FILE, "utf8")) as OpenApiDoc;
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
const compiled = new Map<string, ValidateFunction>();

const routes = Object.keys(doc.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
}));

function findTemplate(path: string): string {
  const exact = routes.find((r) => r.template === path);
  const route = exact ?? routes.find((r) => r.pattern.test(path));
  if (!route) throw new Error(`openapi.yaml documents no path matching ${path}`);
  return route.template;
}

/** Throws (failing the test) when the response is not what openapi.yaml promises. */
export function expectContract(res: Response): void {
  const req = (res as unknown as { req: { method: string; path: string } }).req;
  const path = req.path.split("?")[0];
  const method = req.method.toLowerCase();
  const template = findTemplate(path);
  const operation = doc.paths[template][method];
  if (!operation) throw new Error(`openapi.yaml documents no ${method.toUpperCase()} ${template}`);
  const response = operation.responses[String(res.status)];
  if (!response) throw new Error(`openapi.yaml documents no ${res.status} for ${method.toUpperCase()} ${template}; body: ${res.text.slice(0, 300)}`);
  if (!response.content) {
    if (res.text) throw new Error(`${method.toUpperCase()} ${template} ${res.status} should have no body`);
    return;
  }
  const contentType = String(res.headers["content-type"] ?? "").split(";")[0];
  const media = response.content[contentType];
  if (!media) throw new Error(`${method.toUpperCase()} ${template} ${res.status}: content type ${contentType} not documented (${Object.keys(response.content).join(", ")})`);
  const key = `${method} ${template} ${res.status} ${contentType}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile({ ...media.schema, components: doc.components });
    compiled.set(key, validate);
  }
  // supertest parses JSON only; text responses (e.g. /metrics) are validated as the string they are.
  const body = contentType.startsWith("text/") ? res.text : res.body;
  if (!validate(body)) {
    throw new Error(`${key}: body does not match openapi.yaml: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 500)}`);
  }
}
