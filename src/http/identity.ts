// Who is making a request. Until authentication lands (security issue) every request acts as `anonymous`;
// this is the one place that will read the verified token instead.
import type { FastifyRequest } from "fastify";

export function requestActor(_request: FastifyRequest): string {
  return "anonymous";
}
