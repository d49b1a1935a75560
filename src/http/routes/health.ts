import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { AppDeps } from "../../app.js";
import { readiness } from "../../services/health.js";
import { problemsFor } from "../schemas/common.js";

const Health = Type.Object({ status: Type.Literal("ok") }, { additionalProperties: false });

export const healthRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get("/healthz", {
    schema: { operationId: "health", tags: ["operations"], summary: "Liveness: the process serves HTTP", response: { 200: Health } },
  }, async () => ({ status: "ok" as const }));

  app.get("/readyz", {
    schema: {
      operationId: "ready",
      tags: ["operations"],
      summary: "Readiness: the database answers and every migration is applied",
      response: { 200: Health, ...problemsFor(["not-ready"]) },
    },
  }, async () => {
    await readiness(deps.db.pool);
    return { status: "ok" as const };
  });
};
