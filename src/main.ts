// The only file that touches the process: reads config, starts what the config asks for, listens, and stops
// everything cleanly on SIGTERM/SIGINT.
import { pino } from "pino";
import { buildApp } from "./app.js";
import { resolveRuntime } from "./bootstrap/runtime.js";
import { createServiceDeps } from "./bootstrap/service-deps.js";
import { ConfigError, loadConfig } from "./config/config.js";
import { migrate } from "./db/migrate.js";
import { grantRuntimeRole } from "./db/runtime-grants.js";
import { waitForDatabase } from "./bootstrap/wait-for-database.js";
import { startScheduler } from "./scheduler/scheduler.js";
import { createMetrics } from "./observability/metrics.js";
import { startStateGauges } from "./observability/state-gauges.js";
import { stateCounts } from "./db/metrics-repo.js";
import { createDb } from "./db/client.js";
import { buildMetricsApp } from "./http/metrics-app.js";
import { authSetup } from "./http/auth/setup.js";
import { LOG_REDACT_PATHS, LOG_SERIALIZERS } from "./http/security.js";
import { ArmBudgetLedger } from "./azure/arm-budget.js";

async function main() {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = pino({ level: config.logLevel, redact: LOG_REDACT_PATHS, serializers: LOG_SERIALIZERS });
  const resolved = await resolveRuntime(config, (msg) => log.info(msg));
  const { runtime } = resolved;

  // Migrations (and the run-time role's grants) as the owner role when DATABASE_MIGRATION_URL names one.
  const migrationUrl = runtime.migrationUrl ?? runtime.databaseUrl;
  await waitForDatabase(migrationUrl, config.databaseConnectTimeoutMs, (msg) => log.warn(msg));
  const { applied } = await migrate(migrationUrl);
  if (applied.length) log.info({ applied }, "migrations applied");
  const { granted } = await grantRuntimeRole(migrationUrl, runtime.databaseUrl);
  if (granted) log.info({ role: granted }, "run-time role granted its privileges");

  const metrics = createMetrics();
  // One ARM budget for the process: API-started syncs here, and the scheduler's job threads through it.
  const budget = new ArmBudgetLedger();
  const deps = await createServiceDeps(runtime, { log, metrics: metrics.apply, budget });
  // The gauges count on a connection of their own, so scrapes and counts never take one from the API's pool.
  const gaugeDb = createDb(runtime.databaseUrl, { max: 1, connectionTimeoutMs: runtime.databasePoolTimeoutMs, onPoolError: (err) => log.warn({ err }, "metrics database connection lost") });
  const gauges = startStateGauges(metrics, stateCounts(gaugeDb.prisma, gaugeDb.pool), { intervalMs: config.metricsRefreshIntervalMs, log });
  const bookingPolicy = { minLeadSeconds: config.bookingMinLeadSeconds, endMarginSeconds: config.bookingEndMarginSeconds };
  const metricsEndpoint = { bearerToken: config.metricsBearerToken };
  const app = await buildApp(
    {
      db: deps.db, sync: deps.sync, clock: () => new Date(), bookingPolicy, metrics, auth: authSetup(config, log), rateLimitPerMinute: config.rateLimitPerMinute,
      metricsEndpoint: config.metricsPort === null ? metricsEndpoint : false, ui: config.ui, publicBaseUrl: config.publicBaseUrl,
      updateDomainGapMs: config.updateDomainGapMs, eventStream: config.eventStream,
      webhooks: { key: runtime.webhooks.secretKey ? Buffer.from(runtime.webhooks.secretKey, "base64") : null, allowInsecure: runtime.webhooks.allowInsecure },
    },
    { logger: log },
  );
  await app.listen({ port: config.port, host: config.host });
  const metricsApp = config.metricsPort === null ? null : await buildMetricsApp(metrics, { ...metricsEndpoint, logger: log });
  await metricsApp?.listen({ port: config.metricsPort!, host: config.host });
  const scheduler = await startScheduler({ runtime, log, metrics: metrics.apply, budget });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    // The scheduler gets SHUTDOWN_TIMEOUT_SECONDS to bring bookings to a safe point; if anything hangs past that,
    // exit anyway — leases expire and another replica (or the restart) resumes from what is stored.
    setTimeout(() => {
      log.warn({ signal }, "shutdown timed out: exiting now");
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000 + 5_000).unref();
    gauges.stop();
    await Promise.all([app.close(), metricsApp?.close(), scheduler.stop()]);
    await Promise.all([deps.close(), gaugeDb.close()]);
    await resolved.stop();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", (s) => void shutdown(s));
  process.on("SIGINT", (s) => void shutdown(s));
}

main().catch((error) => {
  console.error("Maintenance Planner failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
