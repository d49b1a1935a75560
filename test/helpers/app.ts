// A test context: a fresh database, an ARM simulator, the real SDK gateway pointed at it, and the production
// app built from them (house style 1: no second wiring for tests).
import request from "supertest";
import type TestAgent from "supertest/lib/agent.js";
import { buildApp, type App } from "../../src/app.js";
import type { AzureGateway } from "../../src/azure/gateway.js";
import type { Simulator, SimulatorOptions } from "../../src/azure/simulator/index.js";
import type { SyncDeps } from "../../src/services/sync.js";
import { createTestDatabase, type TestDatabase } from "./database.js";
import { gatewayFor, startTestSimulator } from "./simulator.js";

export interface TestContext {
  app: App;
  http: TestAgent;
  sim: Simulator;
  gateway: AzureGateway;
  database: TestDatabase;
  sync: SyncDeps;
  close(): Promise<void>;
}

export async function createTestContext(opts: { simulator?: SimulatorOptions; clock?: () => Date } = {}): Promise<TestContext> {
  const database = await createTestDatabase();
  const sim = await startTestSimulator(opts.simulator ?? {});
  const gateway = gatewayFor(sim);
  const sync: SyncDeps = { pool: database.db.pool, gateway, subscriptionIds: sim.subscriptionIds, concurrency: 8 };
  const app = await buildApp({ db: database.db, sync, clock: opts.clock ?? (() => new Date()) });
  await app.ready();
  return {
    app,
    http: request(app.server),
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
