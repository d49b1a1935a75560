// Builds the Fastify app from explicit dependencies. Never listens: main.ts does, tests use supertest.
import type { IncomingMessage } from "node:http";
import Fastify, { type FastifyServerOptions } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { Db } from "./db/client.js";
import type { BookingPolicy } from "./domain/bookings.js";
import type { SyncDeps } from "./services/sync.js";
import type { PlannerConfig } from "./services/planner-claim.js";
import type { BookingDeps } from "./services/bookings.js";
import type { AutoBookConfig } from "./services/auto-booking.js";
import { registerOpenApi } from "./http/openapi.js";
import { registerProblemHandlers } from "./http/problem.js";
import { validatorCompiler } from "./http/validation.js";
import { SHARED_SCHEMAS } from "./http/schemas/index.js";
import { bookingRoutes } from "./http/routes/bookings.js";
import { bookingBatchRoutes } from "./http/routes/booking-batches.js";
import { healthRoutes } from "./http/routes/health.js";
import { syncRunRoutes } from "./http/routes/sync-runs.js";
import { virtualMachineRoutes } from "./http/routes/virtual-machines.js";
import { metricsRoutes } from "./http/routes/metrics.js";
import { securityRoutes } from "./http/routes/security.js";
import { calendarRoutes } from "./http/routes/calendars.js";
import { calendarFeedRoutes } from "./http/routes/calendar-feeds.js";
import { webhookRoutes } from "./http/routes/webhooks.js";
import type { WebhookSettings } from "./services/webhook-subscriptions.js";
import { meRoutes } from "./http/routes/me.js";
import { maintenanceGroupRoutes } from "./http/routes/maintenance-groups.js";
import { uiRoutes } from "./http/routes/ui.js";
import { eventStreamRoutes } from "./http/routes/event-stream.js";
import type { EventStreamSettings } from "./services/event-stream.js";
import type { UiConfig } from "./config/config.js";
import { registerAuthentication, type AuthSetup } from "./http/auth/plugin.js";
import {
  LOG_REDACT_PATHS, LOG_SERIALIZERS, clientErrorHandler, clientRequestId, rateLimitStep, registerContentTypeRules, registerNulGuard, registerRequestIds, registerSecurityHeaders, requestId,
} from "./http/security.js";
import { createAccess } from "./services/access.js";
import { registerConditionalGet } from "./http/conditional-get.js";
import { createMetrics, type Metrics } from "./observability/metrics.js";

export interface AppDeps {
  db: Db;
  sync: SyncDeps;
  clock: () => Date;
  /** Lead time and end margin for booking start times (BOOKING_MIN_LEAD_SECONDS, BOOKING_END_MARGIN_SECONDS). */
  bookingPolicy: BookingPolicy;
  /** Prometheus registry shared with the sync, the gateway and the scheduler (main.ts); default: a fresh one. */
  metrics?: Metrics;
  /** How callers are authenticated (src/http/auth/setup.ts `authSetup(config)`); absent: every /v1 request is refused. */
  auth?: AuthSetup;
  /** RATE_LIMIT_PER_MINUTE; default 600. */
  rateLimitPerMinute?: number;
  /** The key that seals webhook secrets and the URL rules; absent or without a key, webhook routes answer `webhooks-not-configured`. */
  webhooks?: WebhookSettings;
  /**
   * /metrics on this listener, with METRICS_BEARER_TOKEN when set (default: open); false when it is served on
   * METRICS_PORT instead (src/http/metrics-app.ts).
   */
  metricsEndpoint?: { bearerToken: string | null } | false;
  /** The page's sign-in settings (config.ui); default: none configured. */
  ui?: UiConfig;
  /** Where the built page is; default dist/web under the package root. */
  pageRoot?: string;
  /** PUBLIC_BASE_URL: makes calendar feed URLs and their links absolute; default: relative. */
  publicBaseUrl?: string | null;
  /** UPDATE_DOMAIN_GAP in ms, for plan previews and bookings' early warnings; default 30 minutes. */
  updateDomainGapMs?: number;
  /** EVENT_STREAM_MAX, EVENT_STREAM_HEARTBEAT, EVENT_STREAM_REPLAY_MAX; default 200, 15 s, 1000. */
  eventStream?: EventStreamSettings;
}

/** What the booking use cases need of the app's dependencies (single and batch creates, PATCH, cancel). */
export function bookingDeps(deps: AppDeps): BookingDeps {
  return { pool: deps.db.pool, clock: deps.clock, policy: deps.bookingPolicy, planner: plannerConfig(deps) };
}

/** What auto-booking needs when a group or blackout write triggers it (the post-sync step gets the same from the config). */
export function autoBookConfig(deps: AppDeps): AutoBookConfig {
  return { policy: deps.bookingPolicy, planner: plannerConfig(deps) };
}

/** The planner's settings as the API sees them (the scheduler gets the same from the config). */
export function plannerConfig(deps: AppDeps): PlannerConfig {
  return { updateDomainGapMs: deps.updateDomainGapMs ?? 30 * 60_000, endMarginMs: deps.bookingPolicy.endMarginSeconds * 1000 };
}

export interface AppOptions {
  /** A pino logger (main.ts) or Fastify logger options; default: no logging (tests). */
  logger?: FastifyServerOptions["loggerInstance"] | FastifyServerOptions["logger"];
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
}

export async function buildApp(deps: AppDeps, options: AppOptions = {}) {
  const logger = options.logger;
  const safe = { redact: LOG_REDACT_PATHS, serializers: LOG_SERIALIZERS };
  const loggerOptions = logger === true ? safe : logger && typeof logger === "object" ? { ...safe, ...logger } : false;
  const app = Fastify({
    ...(logger && typeof logger === "object" && "child" in logger ? { loggerInstance: logger } : { logger: loggerOptions }),
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    // Always our own id (src/http/security.ts); the caller's x-request-id is kept apart as clientRequestId.
    requestIdHeader: false,
    genReqId: requestId,
    childLoggerFactory: (parent, bindings, opts, raw) => {
      const clientId = clientRequestId(raw as IncomingMessage);
      return parent.child(clientId ? { ...bindings, clientRequestId: clientId } : bindings, opts);
    },
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);

  const metrics = deps.metrics ?? createMetrics();
  // While closing, every response ends its keep-alive connection: a request that was in flight when SIGTERM came
  // still gets its answer, and its connection does not then hold the server open for the keep-alive timeout.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  registerRequestIds(app);
  app.addHook("onSend", async (_request, reply) => {
    if (closing) reply.header("connection", "close");
  });
  app.addHook("onResponse", async (request, reply) => {
    // The route template, never the raw URL: ids would make every request its own time series.
    const route = request.routeOptions.url ?? "unmatched";
    metrics.httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  registerProblemHandlers(app);
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await registerSecurityHeaders(app);
  const entra = deps.auth?.mode === "entra" ? deps.auth : null;
  const access = createAccess(() => deps.db.pool, { directory: entra?.groups ?? null, alwaysLookUp: entra?.alwaysLookUpGroups ?? false });
  const authorise = registerAuthentication(app, { setup: deps.auth, access });
  app.addHook("onRequest", await rateLimitStep(app, deps.rateLimitPerMinute ?? 600));
  app.addHook("onRequest", authorise);
  registerContentTypeRules(app);
  registerNulGuard(app);
  registerConditionalGet(app);
  await registerOpenApi(app);

  await app.register(healthRoutes, { deps });
  if (deps.metricsEndpoint !== false) await app.register(metricsRoutes, { metrics, bearerToken: deps.metricsEndpoint?.bearerToken ?? null });
  await app.register(virtualMachineRoutes, { deps });
  await app.register(syncRunRoutes, { deps });
  await app.register(bookingRoutes, { deps });
  await app.register(bookingBatchRoutes, { deps });
  await app.register(securityRoutes, { deps, access });
  await app.register(calendarRoutes, { deps });
  await app.register(maintenanceGroupRoutes, { deps });
  await app.register(webhookRoutes, { deps });
  await app.register(eventStreamRoutes, { deps });
  await app.register(meRoutes);
  const ui = deps.ui ?? { clientId: null, authority: null, apiScope: null, pollIntervalMs: 5_000 };
  await app.register(uiRoutes, { config: { authMode: deps.auth?.mode === "none" ? "none" : "entra", ...ui }, root: deps.pageRoot });
  await app.register(calendarFeedRoutes, { deps });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
