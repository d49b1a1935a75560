// The only file that touches the process: reads config, starts what the config asks for, listens, and stops
// everything cleanly on SIGTERM/SIGINT.
import { pino } from "pino";
import { buildApp } from "./app.js";
import { resolveRuntime } from "./bootstrap/runtime.js";
import { createServiceDeps } from "./bootstrap/service-deps.js";
import { ConfigError, loadConfig } from "./config/config.js";
import { ensureDatabase, migrate } from "./db/migrate.js";
import { startScheduler } from "./scheduler/scheduler.js";

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
  const log = pino({ level: config.logLevel, redact: ["req.headers.authorization"] });
  const resolved = await resolveRuntime(config, (msg) => log.info(msg));
  const { runtime } = resolved;

  await ensureDatabase(runtime.databaseUrl);
  const { applied } = await migrate(runtime.databaseUrl);
  if (applied.length) log.info({ applied }, "migrations applied");

  const deps = await createServiceDeps(runtime, log);
  const app = await buildApp({ db: deps.db, sync: deps.sync, clock: () => new Date() }, { logger: log });
  await app.listen({ port: config.port, host: config.host });
  const scheduler = await startScheduler({ runtime, syncIntervalMs: config.syncIntervalMs, log });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    await app.close();
    await scheduler.stop();
    await deps.close();
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
