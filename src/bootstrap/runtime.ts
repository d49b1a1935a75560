// Turns config into the concrete things a process (or a bree worker thread) connects to: the database URL
// (embedded PostgreSQL when none is configured) and the ARM endpoint (the in-process simulator in simulator
// mode). The result is plain data, so main.ts can hand it to worker threads.
import type { BookingPolicy } from "../domain/bookings.js";
import type { DeadlineWarning } from "../domain/deadlines.js";
import type { RetentionSettings } from "../domain/retention.js";
import type { Config, WebhookConfig } from "../config/config.js";
import { resolveWebhookKey } from "./webhook-key.js";
import { startEmbeddedPostgres } from "./embedded-postgres.js";

export interface Runtime {
  databaseUrl: string;
  /** DATABASE_MIGRATION_URL: the role that migrates (and grants databaseUrl's role its privileges); null: databaseUrl's. */
  migrationUrl: string | null;
  /** DATABASE_POOL_TIMEOUT, for every pool the process and its worker threads open. */
  databasePoolTimeoutMs: number;
  arm: { endpoint: string; token: string | null; ca: string | null };
  subscriptionIds: string[];
  syncConcurrency: number;
  syncSweepIntervalMs: number;
  logLevel: string;
  /** DEADLINE_WARNINGS, for the post-sync step and the `deadlines` job. */
  deadlineWarnings: DeadlineWarning[];
  /** BOOKING_MIN_LEAD_SECONDS and BOOKING_END_MARGIN_SECONDS, for auto-booking after each sync. */
  bookingPolicy: BookingPolicy;
  scheduler: SchedulerSettings;
  /** OUTBOX_RETENTION and IDEMPOTENCY_KEY_RETENTION, for the `retention` job. */
  retention: RetentionSettings;
  /** Webhook settings with the sealing key resolved (null: webhooks are off). */
  webhooks: WebhookConfig;
}

/** What the scheduler's jobs need from config (plain data: it crosses into bree's worker threads). */
export interface SchedulerSettings {
  syncIntervalMs: number;
  dispatchIntervalMs: number;
  executionMaxAttempts: number;
  misfireGraceSeconds: number;
  leaseDurationMs: number;
  operationPollIntervalMs: number;
  shutdownTimeoutMs: number;
  /** The planner: UPDATE_DOMAIN_GAP, and BOOKING_END_MARGIN_SECONDS in ms (the latest start of a held-back booking). */
  planner: { updateDomainGapMs: number; endMarginMs: number };
}

function schedulerSettings(config: Readonly<Config>): SchedulerSettings {
  const { syncIntervalMs, dispatchIntervalMs, executionMaxAttempts, misfireGraceSeconds, leaseDurationMs, operationPollIntervalMs } = config;
  return {
    syncIntervalMs, dispatchIntervalMs, executionMaxAttempts, misfireGraceSeconds, leaseDurationMs, operationPollIntervalMs,
    shutdownTimeoutMs: config.shutdownTimeoutSeconds * 1000,
    planner: { updateDomainGapMs: config.updateDomainGapMs, endMarginMs: config.bookingEndMarginSeconds * 1000 },
  };
}

export interface ResolvedRuntime {
  runtime: Runtime;
  /** Stops what resolveRuntime started (simulator, embedded database), in reverse order. */
  stop(): Promise<void>;
}

export async function resolveRuntime(config: Readonly<Config>, log: (msg: string) => void): Promise<ResolvedRuntime> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e) => log(`stop failed: ${String(e)}`));
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres({ port: config.embeddedPostgresPort, log });
      stops.push(embedded.stop);
      databaseUrl = embedded.urlFor("maintenance_planner");
    }
    const webhooks = { ...config.webhooks, secretKey: resolveWebhookKey(config, log) };
    const common = {
      migrationUrl: config.databaseMigrationUrl, databasePoolTimeoutMs: config.databasePoolTimeoutMs, syncConcurrency: config.syncConcurrency,
      syncSweepIntervalMs: config.syncSweepIntervalMs, logLevel: config.logLevel, deadlineWarnings: config.deadlineWarnings, scheduler: schedulerSettings(config), webhooks,
      retention: config.retention,
      bookingPolicy: { minLeadSeconds: config.bookingMinLeadSeconds, endMarginSeconds: config.bookingEndMarginSeconds },
    };
    if (config.azureMode === "simulator") {
      const { startSimulator, readScenarioFile } = await import("../azure/simulator/index.js");
      const scenario = config.simulatorScenario ? readScenarioFile(config.simulatorScenario) : undefined;
      const simulator = await startSimulator({ operationDurationMs: config.simulatorOperationDurationMs, scenario });
      stops.push(() => simulator.close());
      log(`ARM simulator on ${simulator.url} with ${simulator.subscriptionIds.length} subscriptions`);
      return {
        runtime: { databaseUrl, arm: { endpoint: simulator.url, token: "simulator", ca: simulator.ca }, subscriptionIds: simulator.subscriptionIds, ...common },
        stop,
      };
    }
    return {
      runtime: { databaseUrl, arm: { endpoint: config.armEndpoint, token: config.armToken, ca: null }, subscriptionIds: [...config.subscriptionIds], ...common },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
