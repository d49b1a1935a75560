import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { AppDeps } from "../../app.js";
import { getSyncRun, listSyncRunsPage } from "../../services/sync-runs.js";
import { requestSync } from "../../services/sync.js";
import { OPTIONAL_BODY } from "../openapi.js";
import { IdParams, problemsFor } from "../schemas/common.js";
import { SyncRun, SyncRunPage, SyncRunQuery, SyncRunStart } from "../schemas/sync-runs.js";
import { requestCaller } from "../identity.js";
import { nextLink } from "../pagination.js";
import { syncRunJson } from "../../representations.js";

export const syncRunRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.post("/v1/sync-runs", {
    config: { role: "Maintenance.Admin" },
    schema: {
      operationId: "startSyncRun",
      tags: ["sync-runs"],
      summary: "Start a sync now; when one is already running anywhere, answers with that one",
      description: "No body, or `{\"full\": true}` to read every VM's instance view (a full sweep) instead of only those due.",
      body: SyncRunStart,
      [OPTIONAL_BODY]: true,
      response: {
        202: { ...SyncRun, $id: undefined, description: "The run that is now going on (new or already running). `Location` points at it." },
        ...problemsFor(["validation-failed", "payload-too-large", "unsupported-media-type"]),
      },
    },
    // No body at all means "sync now", as it always did: validated as `{}`.
    preValidation: async (request) => {
      request.body ??= {};
    },
  }, async (request, reply) => {
    const { run } = await requestSync(deps.sync, "api", requestCaller(request), { full: request.body.full ?? false });
    return reply.code(202).header("location", `/v1/sync-runs/${run.id}`).send(syncRunJson(run));
  });

  app.get("/v1/sync-runs", {
    config: { role: "Maintenance.Admin" },
    schema: {
      operationId: "listSyncRuns",
      tags: ["sync-runs"],
      summary: "Sync runs, newest first",
      querystring: SyncRunQuery,
      response: { 200: SyncRunPage, ...problemsFor(["validation-failed", "invalid-cursor"]) },
    },
  }, async (request) => {
    const page = await listSyncRunsPage(deps.db.pool, request.query.limit ?? 100, request.query.cursor);
    return { value: page.items.map(syncRunJson), nextLink: nextLink(request, page.nextCursor) };
  });

  app.get("/v1/sync-runs/:id", {
    config: { role: "Maintenance.Admin" },
    schema: {
      operationId: "getSyncRun",
      tags: ["sync-runs"],
      summary: "One sync run with its counts and per-subscription errors",
      params: IdParams,
      response: { 200: SyncRun, ...problemsFor(["validation-failed", "not-found"]) },
    },
  }, async (request) => syncRunJson(await getSyncRun(deps.db.pool, request.params.id)));
};
