// A test context: a fresh database, an ARM simulator, the real SDK gateway pointed at it, and the production
// app built from them (house style 1: no second wiring for tests).
import { randomBytes } from "node:crypto";
import request from "supertest";
import type TestAgent from "supertest/lib/agent.js";
import { buildApp, type App, type AppDeps } from "../../src/app.js";
import { armRequestEvent, createMetrics } from "../../src/observability/metrics.js";
import type { AuthSetup } from "../../src/http/auth/plugin.js";
import type { AzureGateway } from "../../src/azure/gateway.js";
import type { ArmGatewayOptions } from "../../src/azure/arm-gateway.js";
import type { Simulator, SimulatorOptions } from "../../src/azure/simulator/index.js";
import { loadConfig } from "../../src/config/config.js";
import type { BookingPolicy } from "../../src/domain/bookings.js";
import { afterSyncSteps } from "../../src/services/after-sync.js";
import type { SyncDeps } from "../../src/services/sync.js";
import type { WebhookSettings } from "../../src/services/webhook-subscriptions.js";
import type { EventStreamSettings } from "../../src/services/event-stream.js";
import { createTestDatabase, type TestDatabase } from "./database.js";
import { gatewayFor, startTestSimulator } from "./simulator.js";

export interface TestContext {
  app: App;
  /** What the app was built from, for tests that build a variant (e.g. with an unreachable database). */
  appDeps: AppDeps;
  /** Sends the context's default token (if any) with every request. */
  http: TestAgent;
  /** Sends no token. */
  anonymous: TestAgent;
  sim: Simulator;
  gateway: AzureGateway;
  database: TestDatabase;
  sync: SyncDeps;
  close(): Promise<void>;
}

export interface TestContextOptions {
  simulator?: SimulatorOptions;
  clock?: () => Date;
  /** Default: the configuration's defaults. */
  bookingPolicy?: BookingPolicy;
  /** Default: AUTH_MODE=none (every caller anonymous with every role). */
  auth?: AuthSetup;
  /** Sent by `http` as `Authorization: Bearer …` (e.g. an admin token, so fixtures can sync and book). */
  token?: string;
  rateLimitPerMinute?: number;
  /** UPDATE_DOMAIN_GAP for previews and booking warnings; default the configuration's (30m). */
  updateDomainGapMs?: number;
  /** Default: a fresh key, the URL rules on (pass allowInsecure for a local receiver). */
  webhooks?: WebhookSettings;
  /** Gateway options, e.g. `{ budget: false }` to sync a large fleet without ARM's pacing (with `simulator.throttle: false`). */
  gateway?: Partial<ArmGatewayOptions>;
  /** GET /v1/event-stream's limits; default the service's. */
  eventStream?: EventStreamSettings;
}

export async function createTestContext(opts: TestContextOptions = {}): Promise<TestContext> {
  const database = await createTestDatabase();
  const sim = await startTestSimulator(opts.simulator ?? {});
  const pool = database.db.pool;
  // Metrics wired as main.ts wires them: the gateway, the sync and the app report to one registry.
  const metrics = createMetrics();
  const gateway = gatewayFor(sim, { onRequest: (e) => metrics.apply(armRequestEvent(e)), ...opts.gateway });
  const defaults = loadConfig({});
  const bookingPolicy = opts.bookingPolicy ?? { minLeadSeconds: defaults.bookingMinLeadSeconds, endMarginSeconds: defaults.bookingEndMarginSeconds };
  const planner = { updateDomainGapMs: opts.updateDomainGapMs ?? defaults.updateDomainGapMs, endMarginMs: bookingPolicy.endMarginSeconds * 1000 };
  const afterSync = afterSyncSteps(pool, { deadlineWarnings: defaults.deadlineWarnings, autoBook: { policy: bookingPolicy, planner } });
  const sync: SyncDeps = { pool, gateway, subscriptionIds: sim.subscriptionIds, concurrency: 8, afterSync, metrics: metrics.apply };
  const appDeps: AppDeps = {
    db: database.db, sync, clock: opts.clock ?? (() => new Date()), bookingPolicy, auth: opts.auth ?? { mode: "none" }, rateLimitPerMinute: opts.rateLimitPerMinute,
    metrics, updateDomainGapMs: opts.updateDomainGapMs, eventStream: opts.eventStream,
    webhooks: opts.webhooks ?? { key: randomBytes(32), allowInsecure: false },
  };
  const app = await buildApp(appDeps);
  await app.ready();
  return {
    app,
    appDeps,
    http: opts.token ? request.agent(app.server).set("authorization", `Bearer ${opts.token}`) : request(app.server),
    anonymous: request(app.server),
    sim,
    gateway,
    database,
    sync,
    async close() {
      await app.close();
      await sim.close();
      await database.drop();
    },
  };
}
