// Builds the Fastify app from explicit dependencies. Never listens: main.ts does, tests use supertest.
import Fastify, { type FastifyServerOptions } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { Db } from "./db/client.js";
import type { SyncDeps } from "./services/sync.js";
import { registerOpenApi } from "./http/openapi.js";
import { registerProblemHandlers } from "./http/problem.js";
import { SHARED_SCHEMAS } from "./http/schemas/index.js";
import { healthRoutes } from "./http/routes/health.js";
import { syncRunRoutes } from "./http/routes/sync-runs.js";
import { virtualMachineRoutes } from "./http/routes/virtual-machines.js";

export interface AppDeps {
  db: Db;
  sync: SyncDeps;
  clock: () => Date;
}

export interface AppOptions {
  /** A pino logger (main.ts) or Fastify logger options; default: no logging (tests). */
  logger?: FastifyServerOptions["loggerInstance"] | FastifyServerOptions["logger"];
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
}

export async function buildApp(deps: AppDeps, options: AppOptions = {}) {
  const logger = options.logger;
  const app = Fastify({
    ...(logger && typeof logger === "object" && "child" in logger ? { loggerInstance: logger } : { logger: logger ?? false }),
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    requestIdHeader: "x-request-id",
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  registerProblemHandlers(app);
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await registerOpenApi(app);

  await app.register(healthRoutes, { deps });
  await app.register(virtualMachineRoutes, { deps });
  await app.register(syncRunRoutes, { deps });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
