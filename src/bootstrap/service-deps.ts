// Builds the objects every process needs from a Runtime: the database and the Azure gateway. Used by main.ts
// and by each bree job (worker threads never share the HTTP process's objects).
import type { TokenCredential } from "@azure/identity";
import { createArmGateway, type ArmGatewayOptions } from "../azure/arm-gateway.js";
import type { AzureGateway } from "../azure/gateway.js";
import type { ArmBudget } from "../azure/arm-budget.js";
import { createDb, type Db } from "../db/client.js";
import { afterSyncSteps } from "../services/after-sync.js";
import type { SyncDeps } from "../services/sync.js";
import { armRequestEvent, type MetricsSink } from "../observability/metrics.js";
import type { Runtime } from "./runtime.js";

export interface ServiceDeps {
  db: Db;
  gateway: AzureGateway;
  sync: SyncDeps;
  close(): Promise<void>;
}

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** A fixed bearer token, for ARM test doubles (AZURE_ARM_TOKEN). */
function staticCredential(token: string): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
}

async function credentialFor(runtime: Runtime): Promise<TokenCredential> {
  if (runtime.arm.token) return staticCredential(runtime.arm.token);
  const { DefaultAzureCredential } = await import("@azure/identity");
  return new DefaultAzureCredential();
}

export interface ServiceDepsOptions {
  log?: Logger;
  poolSize?: number;
  /** Gateway tuning, e.g. the scheduler turns off the SDK's own retries to count and pace every attempt itself. */
  arm?: Pick<ArmGatewayOptions, "retry" | "pollIntervalMs" | "maxBudgetWaitMs">;
  /** The process's one ARM budget (main.ts's ledger, or a job thread's RemoteArmBudget to it). */
  budget: ArmBudget;
  /** Where metric events go: the registry in the main thread, a message to it from a worker thread. */
  metrics?: MetricsSink;
}

export async function createServiceDeps(runtime: Runtime, opts: ServiceDepsOptions): Promise<ServiceDeps> {
  const { log, metrics } = opts;
  const db = createDb(runtime.databaseUrl, { max: opts.poolSize, connectionTimeoutMs: runtime.databasePoolTimeoutMs });
  const gateway = createArmGateway({
    endpoint: runtime.arm.endpoint,
    credential: await credentialFor(runtime),
    ca: runtime.arm.ca ?? undefined,
    budget: opts.budget,
    ...opts.arm,
    onRequest: metrics && ((e) => metrics(armRequestEvent(e))),
  });
  const sync: SyncDeps = {
    pool: db.pool, gateway, subscriptionIds: runtime.subscriptionIds, concurrency: runtime.syncConcurrency, sweepIntervalMs: runtime.syncSweepIntervalMs, log, metrics,
    afterSync: afterSyncSteps(db.pool, { deadlineWarnings: runtime.deadlineWarnings, autoBook: { policy: runtime.bookingPolicy, planner: runtime.scheduler.planner }, log }),
  };
  return { db, gateway, sync, close: () => db.close() };
}
