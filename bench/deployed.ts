// What the benchmarks that measure the deployed service share: the tsc build (what the image runs), a fresh
// database holding a simulated fleet in which every VM carries maintenance windows, and the service (or any
// server) as its own process.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import path from "node:path";
import { startSimulator, type FleetOptions, type Simulator } from "../src/azure/simulator/index.js";
import { maintenanceOf } from "../src/azure/simulator/seed.js";
import { requestSync } from "../src/services/sync.js";
import { createTestDatabase, type TestDatabase } from "../test/helpers/database.js";
import { serviceEnv } from "../test/helpers/service-process.js";
import { gatewayFor } from "../test/helpers/simulator.js";

const root = path.resolve(import.meta.dirname, "..");
/** Every VM gets one of these (no `none`): pages are all VMs with windows, as in an estate mid-wave. */
const KINDS = ["open", "later", "scheduled", "retryLater", "aborted", "completed"] as const;

export interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  output(): string;
}

/** `npm run build`: the server (tsc, with the Prisma client) and the page, as the image's build stage does. */
export function buildService(): void {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
}

export interface Fleet {
  database: TestDatabase;
  simulator: Simulator;
  /** Environment for `node dist/src/main.js` against this database and simulator. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** A fresh database with the fleet synced into it; every VM has a maintenance window. */
export async function fleetWithWindows(fleet: FleetOptions, extraEnv: Record<string, string> = {}): Promise<Fleet> {
  const database = await createTestDatabase();
  const simulator = await startSimulator({ fleet, pageSize: 1000 });
  const base = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  simulator.vms().forEach((vm, i) => simulator.setMaintenance(vm.resourceId, maintenanceOf(KINDS[i % KINDS.length], base, 0)));
  const gateway = gatewayFor(simulator);
  const run = await (await requestSync({ pool: database.db.pool, gateway, subscriptionIds: simulator.subscriptionIds, concurrency: 16 }, "api")).finished;
  if (run.status !== "succeeded") throw new Error(`sync ended ${run.status}: ${JSON.stringify(run.errors)}`);
  const env = serviceEnv(simulator, database.url, { NODE_ENV: "production", RATE_LIMIT_PER_MINUTE: "1000000", SYNC_INTERVAL: "1h", DISPATCH_INTERVAL: "5s", ...extraEnv });
  return { database, simulator, env, close: async () => { await simulator.close(); await database.drop(); } };
}

export function startServer(name: string, args: string[], env: Record<string, string>, port: number): Server {
  const child = spawn(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH ?? "", ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
  return { name, url: `http://127.0.0.1:${port}`, child, output: () => text };
}

export async function until(what: string, server: Server, check: () => Promise<boolean>, ms = 180_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (server.child.exitCode !== null || Date.now() > deadline) throw new Error(`${server.name}: no ${what}\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Ready, and the sync it runs at start has finished (it would compete with the load otherwise). */
export async function serviceReady(server: Server): Promise<void> {
  await until("readiness", server, async () => (await fetch(`${server.url}/readyz`)).ok);
  await until("finished start-up sync", server, async () => {
    const body = (await (await fetch(`${server.url}/v1/sync-runs?limit=1`)).json()) as { value: { status: string }[] };
    return body.value.length > 0 && body.value[0].status !== "running";
  });
}

export async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}
