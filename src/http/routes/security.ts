// Admin routes: scope assignments and the audit trail (Maintenance.Admin).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { AppDeps } from "../../app.js";
import type { Access } from "../../services/access.js";
import { listAuditEventsPage } from "../../services/audit-events.js";
import { createScopeAssignment, deleteScopeAssignment, listScopeAssignmentsPage } from "../../services/scope-assignments.js";
import { IdParams, problemsFor } from "../schemas/common.js";
import { AuditEventPage, AuditEventQuery, ScopeAssignmentCreate, ScopeAssignmentPage, ScopeAssignmentQuery } from "../schemas/security.js";
import { requestCaller } from "../identity.js";
import { nextLink } from "../pagination.js";
import { auditEventJson, scopeAssignmentJson } from "../../representations.js";

const admin = { role: "Maintenance.Admin" } as const;

export const securityRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps; access: Access }> = async (app, { deps, access }) => {
  app.get("/v1/scope-assignments", {
    config: admin,
    schema: {
      operationId: "listScopeAssignments",
      tags: ["security"],
      summary: "Scope assignments, optionally of one principal",
      querystring: ScopeAssignmentQuery,
      response: { 200: ScopeAssignmentPage, ...problemsFor(["validation-failed", "invalid-cursor"]) },
    },
  }, async (request) => {
    const { limit = 100, cursor, principalId } = request.query;
    const page = await listScopeAssignmentsPage(deps.db.pool, principalId, limit, cursor);
    return { value: page.items.map(scopeAssignmentJson), nextLink: nextLink(request, page.nextCursor) };
  });

  app.post("/v1/scope-assignments", {
    config: admin,
    schema: {
      operationId: "createScopeAssignment",
      tags: ["security"],
      summary: "Limit a principal to a subscription or resource group (adds to its existing assignments)",
      body: ScopeAssignmentCreate,
      response: {
        201: { description: "The new assignment.", content: { "application/json": { schema: Type.Ref("ScopeAssignment") } } },
        ...problemsFor(["validation-failed", "payload-too-large", "unsupported-media-type", "scope-assignment-exists", "scope-assignment-names-caller"]),
      },
    },
  }, async (request, reply) => {
    // Every id that names the admin (groups looked up if the token lists none): an assignment naming one of them
    // would make the admin scoped, and scoped admins are refused every admin route — including deleting it.
    const callerIds = request.principal ? await access.allIds(request.principal) : [];
    const row = await createScopeAssignment(deps.db.pool, requestCaller(request), request.body, callerIds);
    return reply.code(201).send(scopeAssignmentJson(row));
  });

  app.delete("/v1/scope-assignments/:id", {
    config: admin,
    schema: {
      operationId: "deleteScopeAssignment",
      tags: ["security"],
      summary: "Remove a scope assignment (a principal left with none is limited by its app role only)",
      params: IdParams,
      response: { 204: { description: "Removed.", type: "null" }, ...problemsFor(["validation-failed", "not-found"]) },
    },
  }, async (request, reply) => {
    await deleteScopeAssignment(deps.db.pool, requestCaller(request), request.params.id);
    return reply.code(204).send(null);
  });

  app.get("/v1/audit-events", {
    config: admin,
    schema: {
      operationId: "listAuditEvents",
      tags: ["security"],
      summary: "The audit trail, newest first",
      querystring: AuditEventQuery,
      response: { 200: AuditEventPage, ...problemsFor(["validation-failed", "invalid-cursor"]) },
    },
  }, async (request) => {
    const { limit = 100, cursor, ...filters } = request.query;
    const page = await listAuditEventsPage(deps.db.pool, filters, limit, cursor);
    return { value: page.items.map(auditEventJson), nextLink: nextLink(request, page.nextCursor) };
  });
};
