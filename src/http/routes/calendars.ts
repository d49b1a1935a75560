// Maintenance windows and blackouts: create-or-replace, read, list, delete (the same four routes for both kinds),
// plus their evaluation over a range. Writes need Maintenance.Admin. Maintenance windows are readable with
// Maintenance.Read (they name no resource); blackouts too, but only by unrestricted principals, since their
// selectors name subscriptions, resource groups and tags across every scope.
import type { FastifyContextConfig, FastifyInstance } from "fastify";
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type, type TSchema } from "typebox";
import { autoBookConfig, type AppDeps } from "../../app.js";
import type { TxClient } from "../../db/booking-writes-repo.js";
import { autoBookIn } from "../../services/auto-booking.js";
import {
  BLACKOUT, MAINTENANCE_WINDOW, blackoutIntervalList, deleteCalendarDefinition, getCalendarDefinition, listCalendarDefinitionsPage,
  maintenanceWindowOccurrences, putCalendarDefinition, type CalendarKind,
} from "../../services/calendars.js";
import {
  BlackoutIntervalList, BlackoutPage, BlackoutPut, MaintenanceWindowPage, MaintenanceWindowPut, NameParams, NamedQuery, OccurrenceList, TimeRangeQuery,
} from "../schemas/calendars.js";
import { problemsFor } from "../schemas/common.js";
import { requestCaller } from "../identity.js";
import { nextLink } from "../pagination.js";
import { calendarDefinitionJson } from "../../representations.js";

const ADMIN: FastifyContextConfig = { role: "Maintenance.Admin" };
const BODY_PROBLEMS = ["validation-failed", "payload-too-large", "unsupported-media-type"];
const RECURRENCE_PROBLEMS = ["invalid-time-zone", "invalid-rrule", "invalid-duration"];

interface CalendarRoutes<Row, Input> {
  kind: CalendarKind<Row, Input>;
  /** Component name, e.g. "MaintenanceWindow"; operation ids are built from it and `plural`. */
  schemaName: string;
  plural: string;
  /** For summaries: "maintenance window". */
  label: string;
  body: TSchema;
  page: TSchema;
  read: FastifyContextConfig;
  putProblems: string[];
  deleteProblems?: string[];
  putDescription?: string;
}

type Stored = { name: string; createdAt: Date; updatedAt: Date };

function registerCrud<Row extends Stored, Input>(app: FastifyInstance, deps: AppDeps, r: CalendarRoutes<Row, Input>): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const item = (description: string, headers?: object) => ({ description, ...(headers ? { headers } : {}), content: { "application/json": { schema: Type.Ref(r.schemaName) } } });
  const path = `${r.kind.path}/:name`;
  const tags = () => ["calendars"];

  typed.put(path, {
    config: ADMIN,
    schema: {
      operationId: `put${r.schemaName}`, tags: tags(), summary: `Create or replace a ${r.label}`, ...(r.putDescription ? { description: r.putDescription } : {}), params: NameParams, body: r.body,
      response: {
        200: item("Replaced."),
        201: item("Created.", { location: { type: "string", description: `${r.kind.path}/{name}` } }),
        ...problemsFor([...BODY_PROBLEMS, ...r.putProblems]),
      },
    },
  }, async (request, reply) => {
    const caller = requestCaller(request);
    const rebook = (client: TxClient) => autoBookIn(client, autoBookConfig(deps), deps.clock(), null, caller.requestId);
    const { row, created, invalidated } = await putCalendarDefinition(deps.db.pool, caller, r.kind, request.params.name, request.body as Input, rebook);
    if (invalidated.length > 0) request.log.info({ [r.kind.noun]: row.name, invalidatedBookings: invalidated.map((b) => b.id) }, `${r.label} invalidated scheduled bookings`);
    if (created) reply.code(201).header("location", `${r.kind.path}/${row.name}`);
    return reply.send(calendarDefinitionJson(row));
  });

  typed.get(r.kind.path, {
    config: r.read,
    schema: {
      operationId: `list${r.plural}`, tags: tags(), summary: `All ${r.label}s, in name order`, querystring: NamedQuery,
      response: { 200: r.page, ...problemsFor(["validation-failed", "invalid-cursor"]) },
    },
  }, async (request) => {
    const { limit = 100, cursor } = request.query;
    const page = await listCalendarDefinitionsPage(deps.db.pool, r.kind, limit, cursor);
    return { value: page.items.map(calendarDefinitionJson), nextLink: nextLink(request, page.nextCursor) };
  });

  typed.get(path, {
    config: r.read,
    schema: { operationId: `get${r.schemaName}`, tags: tags(), summary: `One ${r.label}`, params: NameParams, response: { 200: item("Found."), ...problemsFor(["validation-failed", "not-found"]) } },
  }, async (request) => calendarDefinitionJson(await getCalendarDefinition(deps.db.pool, r.kind, request.params.name)));

  typed.delete(path, {
    config: ADMIN,
    schema: {
      operationId: `delete${r.schemaName}`, tags: tags(), summary: `Delete a ${r.label}`, params: NameParams,
      response: { 204: { description: "Deleted.", type: "null" }, ...problemsFor(["validation-failed", "not-found", ...(r.deleteProblems ?? [])]) },
    },
  }, async (request, reply) => {
    await deleteCalendarDefinition(deps.db.pool, requestCaller(request), r.kind, request.params.name);
    return reply.code(204).send(null);
  });
}

const RANGE_PROBLEMS = problemsFor(["validation-failed", "not-found", "invalid-time-range"]);
const rangeJson = (list: { timeZone: string; from: Date; to: Date; value: { start: Date; end: Date; localStart: string; localEnd: string }[] }) => ({
  ...list, from: list.from.toISOString(), to: list.to.toISOString(),
  value: list.value.map((i) => ({ ...i, start: i.start.toISOString(), end: i.end.toISOString() })),
});

export const calendarRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const windowRead: FastifyContextConfig = { role: "Maintenance.Read" };
  const blackoutRead: FastifyContextConfig = { role: "Maintenance.Read", unrestricted: true };
  registerCrud(app, deps, {
    kind: MAINTENANCE_WINDOW, schemaName: "MaintenanceWindow", plural: "MaintenanceWindows", label: "maintenance window", body: MaintenanceWindowPut, page: MaintenanceWindowPage,
    read: windowRead, putProblems: [...RECURRENCE_PROBLEMS], deleteProblems: ["maintenance-window-in-use"],
  });
  registerCrud(app, deps, {
    kind: BLACKOUT, schemaName: "Blackout", plural: "Blackouts", label: "blackout", body: BlackoutPut, page: BlackoutPage,
    read: blackoutRead, putProblems: [...RECURRENCE_PROBLEMS, "invalid-blackout", "invalid-selector"],
    putDescription: "Bookings are then refused with 409 `blackout` when they start in it on a VM its selector picks; scheduled bookings that already do "
      + "become `invalidated` in the same transaction, the reason naming the blackout, and members of autoBook maintenance groups are booked again "
      + "(outside it) in that transaction too. Narrowing or deleting it never brings them back.",
  });

  app.get("/v1/maintenance-windows/:name/occurrences", {
    config: windowRead,
    schema: {
      operationId: "listMaintenanceWindowOccurrences", tags: ["calendars"], summary: "The window's occurrences in a range, in UTC and local time",
      params: NameParams, querystring: TimeRangeQuery, response: { 200: OccurrenceList, ...RANGE_PROBLEMS },
    },
  }, async (request) => rangeJson(await maintenanceWindowOccurrences(deps.db.pool, request.params.name, request.query, deps.clock())));

  app.get("/v1/blackouts/:name/intervals", {
    config: blackoutRead,
    schema: {
      operationId: "listBlackoutIntervals", tags: ["calendars"], summary: "The blackout's times in a range, in UTC and local time",
      params: NameParams, querystring: TimeRangeQuery, response: { 200: BlackoutIntervalList, ...RANGE_PROBLEMS },
    },
  }, async (request) => rangeJson(await blackoutIntervalList(deps.db.pool, request.params.name, request.query, deps.clock())));
};
