// Who is making a request: the one place routes ask. The principal comes from the verified bearer token
// (src/http/auth/plugin.ts); with AUTH_MODE=none every caller is `anonymous`.
import type { FastifyRequest } from "fastify";
import type { Caller } from "../services/access.js";

export function requestActor(request: FastifyRequest): string {
  // The auth hooks refuse every /v1 request without a principal, so this fallback is never recorded there.
  return request.principal?.actor ?? "anonymous";
}

/** Actor, request ids (for the audit trail) and scope (loaded for routes with `config.scoped`). */
export function requestCaller(request: FastifyRequest): Caller {
  return {
    actor: requestActor(request), principalId: request.principal?.id ?? "anonymous", requestId: request.id, clientRequestId: request.clientRequestId, scope: request.scope,
  };
}
