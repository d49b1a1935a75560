// Table-driven request tests (malformed and hostile requests): one row per request and its expected problem.
import type TestAgent from "supertest/lib/agent.js";

export interface RequestCase {
  name: string;
  method: "get" | "post" | "patch" | "delete";
  url: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is (with the content type from headers, default application/json). */
  body?: unknown;
  status: number;
  code: string;
  /** Not in openapi.yaml: an unknown path, or refused by the HTTP parser before any route. */
  undocumented?: true;
}

export function sendCase(http: TestAgent, c: RequestCase) {
  let req = http[c.method](c.url);
  if (c.headers) req = req.set(c.headers);
  if (c.body === undefined) return req;
  return typeof c.body === "string" ? req.type(c.headers?.["content-type"] ?? "application/json").send(c.body) : req.send(c.body as object);
}
