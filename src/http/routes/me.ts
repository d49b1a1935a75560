// GET /v1/me: who the caller is and what they may do, so a client (the page) offers only allowed actions.
// Roles come from the verified token (clients must not read access tokens themselves).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ANONYMOUS, ROLES, hasRole } from "../../domain/access.js";
import { problemsFor } from "../schemas/common.js";
import { Me } from "../schemas/security.js";

export const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get("/v1/me", {
    config: { role: "Maintenance.Read", scoped: true },
    schema: {
      operationId: "getMe",
      tags: ["security"],
      summary: "The caller: actor, app roles (with implied ones) and scope",
      response: { 200: Me, ...problemsFor([]) },
    },
  }, async (request) => {
    const principal = request.principal ?? ANONYMOUS;
    const scope = request.scope && request.scope.map((e) => ({ subscriptionId: e.subscriptionId, resourceGroup: e.resourceGroup }));
    return { kind: principal.kind, actor: principal.actor, roles: ROLES.filter((r) => hasRole(principal, r)), scope };
  });
};
