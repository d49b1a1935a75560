import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Metrics } from "../../observability/metrics.js";

export const metricsRoutes: FastifyPluginAsyncTypebox<{ metrics: Metrics }> = async (app, { metrics }) => {
  app.get("/metrics", {
    schema: {
      operationId: "metrics",
      tags: ["operations"],
      summary: "Prometheus metrics (text exposition format)",
      response: { 200: { description: "Metrics.", content: { "text/plain": { schema: { type: "string" } } } } },
    },
  }, async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
};
