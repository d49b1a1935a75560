// Maintenance groups (Admin writes; read like blackouts, since selectors name subscriptions and resource groups
// across every scope) and the plan preview (any reader: it shows the bookings in the caller's scope).
import type { FastifyContextConfig } from "fastify";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { autoBookConfig, type AppDeps } from "../../app.js";
import {
  deleteMaintenanceGroup, getMaintenanceGroup, listMaintenanceGroupsPage, putMaintenanceGroup, resumeMaintenanceGroup,
} from "../../services/maintenance-groups.js";
import { previewPlan } from "../../services/plan-preview.js";
import { MaintenanceGroupPage, MaintenanceGroupPut, PlanPreview, PlanPreviewRequest } from "../schemas/maintenance-groups.js";
import { NameParams, NamedQuery } from "../schemas/calendars.js";
import { problemsFor } from "../schemas/common.js";
import { requestCaller } from "../identity.js";
import { nextLink } from "../pagination.js";
import { maintenanceGroupJson, planPreviewJson } from "../../representations.js";

const ADMIN: FastifyContextConfig = { role: "Maintenance.Admin" };
const READ: FastifyContextConfig = { role: "Maintenance.Read", unrestricted: true };
const BODY_PROBLEMS = ["validation-failed", "payload-too-large", "unsupported-media-type"];
const PATH = "/v1/maintenance-groups";
const TAGS = ["planner"];
const group = (description: string, headers?: object) => ({
  description, ...(headers ? { headers } : {}), content: { "application/json": { schema: Type.Ref("MaintenanceGroup") } },
});

export const maintenanceGroupRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.put(`${PATH}/:name`, {
    config: ADMIN,
    schema: {
      operationId: "putMaintenanceGroup", tags: TAGS, summary: "Create or replace a maintenance group",
      description: "Its members are the VMs its selector picks now, and again after every sync. A VM in several groups is under every one of their limits. "
        + "With `policy.autoBook`, its members with a self-service window and no active booking are booked in the same request (and after every sync) "
        + "into `policy.maintenanceWindow`; those with no slot before their deadline are listed in `unplannable`.",
      params: NameParams, body: MaintenanceGroupPut,
      response: {
        200: group("Replaced."),
        201: group("Created.", { location: { type: "string", description: `${PATH}/{name}` } }),
        ...problemsFor([...BODY_PROBLEMS, "invalid-selector", "invalid-group-policy", "maintenance-group-unknown", "maintenance-group-cycle", "maintenance-window-unknown"]),
      },
    },
  }, async (request, reply) => {
    const { group: row, created } = await putMaintenanceGroup(deps.db.pool, requestCaller(request), request.params.name, request.body, { config: autoBookConfig(deps), now: deps.clock() });
    if (created) reply.code(201).header("location", `${PATH}/${row.name}`);
    return reply.send(maintenanceGroupJson(row));
  });

  app.get(PATH, {
    config: READ,
    schema: {
      operationId: "listMaintenanceGroups", tags: TAGS, summary: "All maintenance groups, in name order, with their figures", querystring: NamedQuery,
      response: { 200: MaintenanceGroupPage, ...problemsFor(["validation-failed", "invalid-cursor"]) },
    },
  }, async (request) => {
    const { limit = 100, cursor } = request.query;
    const page = await listMaintenanceGroupsPage(deps.db.pool, limit, cursor);
    return { value: page.items.map(maintenanceGroupJson), nextLink: nextLink(request, page.nextCursor) };
  });

  app.get(`${PATH}/:name`, {
    config: READ,
    schema: {
      operationId: "getMaintenanceGroup", tags: TAGS, summary: "One maintenance group: members, in flight, deferred, held, errors since resumed",
      params: NameParams, response: { 200: group("Found."), ...problemsFor(["validation-failed", "not-found"]) },
    },
  }, async (request) => maintenanceGroupJson(await getMaintenanceGroup(deps.db.pool, request.params.name)));

  app.delete(`${PATH}/:name`, {
    config: ADMIN,
    schema: {
      operationId: "deleteMaintenanceGroup", tags: TAGS, summary: "Delete a maintenance group",
      description: "Refused (409) while another group names it in `after`. Its held bookings stay held: resume it first.",
      params: NameParams,
      response: { 204: { description: "Deleted.", type: "null" }, ...problemsFor(["validation-failed", "not-found", "maintenance-group-cycle"]) },
    },
  }, async (request, reply) => {
    await deleteMaintenanceGroup(deps.db.pool, requestCaller(request), request.params.name);
    return reply.code(204).send(null);
  });

  app.post(`${PATH}/:name/resume`, {
    config: ADMIN,
    schema: {
      operationId: "resumeMaintenanceGroup", tags: TAGS, summary: "Count errors afresh and let the group's held bookings run",
      description: "No request body. Held bookings become scheduled again (audited as booking.resumed); those whose time has passed start at once, within their window.",
      params: NameParams, response: { 200: group("The group, resumed."), ...problemsFor(["validation-failed", "not-found"]) },
    },
  }, async (request) => maintenanceGroupJson(await resumeMaintenanceGroup(deps.db.pool, requestCaller(request), request.params.name)));

  app.post("/v1/plan-previews", {
    config: { role: "Maintenance.Read", scoped: true },
    schema: {
      operationId: "previewPlan", tags: TAGS, summary: "What the planner would do with every scheduled booking (and hypothetical ones)",
      description:
        "Nothing is written. Projects every scheduled and held booking in your scope, the bookings auto-booking would make now (`autoBookGroup` set), " +
        "and each hypothetical item (in place of its VM's scheduled or auto booking, if any), " +
        "under today's bookings and policies, with operations lasting the median of recent completed ones (15 minutes without any).",
      body: PlanPreviewRequest,
      response: { 200: PlanPreview, ...problemsFor([...BODY_PROBLEMS, "virtual-machine-unknown", "forbidden"]) },
    },
  }, async (request) => {
    const items = (request.body?.items ?? []).map((i) => ({ virtualMachineId: i.virtualMachineId, startAt: new Date(i.startAt) }));
    return planPreviewJson(await previewPlan(deps.db.pool, request.scope, items, deps.clock(), autoBookConfig(deps)));
  });
};
