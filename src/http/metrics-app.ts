// The /metrics listener on METRICS_PORT: only the metrics route, so Prometheus can be let in where the API is not
// (and the API port, which an ingress exposes, no longer serves metrics). Built like the API app; main.ts listens.
import Fastify, { type FastifyBaseLogger } from "fastify";
import type { Metrics } from "../observability/metrics.js";
import { registerProblemHandlers } from "./problem.js";
import { metricsRoutes } from "./routes/metrics.js";
import { SHARED_SCHEMAS } from "./schemas/index.js";
import { clientErrorHandler, registerRequestIds, requestId } from "./security.js";

export async function buildMetricsApp(metrics: Metrics, opts: { bearerToken: string | null; logger?: FastifyBaseLogger }) {
  const app = Fastify({ ...(opts.logger ? { loggerInstance: opts.logger } : {}), requestIdHeader: false, genReqId: requestId, clientErrorHandler });
  registerRequestIds(app);
  registerProblemHandlers(app);
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await app.register(metricsRoutes, { metrics, bearerToken: opts.bearerToken });
  return app;
}
