// API read benchmark, on what users run: the built service (`node dist/src/main.js`, as in the image) as its own
// process, on a fresh database holding a fleet in which every VM carries maintenance windows, answering
// `GET /v1/virtual-machines?limit=100`; against a bare Fastify + pg route (bench/bare-server.ts, also its own
// process) serving the same documents, in the same run. The machine is shared and noisy: compare the ratio.
// A second, shorter run of the service under `node --cpu-prof` says where its time goes.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import autocannon from "autocannon";
import { startSimulator, type Simulator } from "../src/azure/simulator/index.js";
import { maintenanceOf } from "../src/azure/simulator/seed.js";
import { requestSync } from "../src/services/sync.js";
import { createTestDatabase } from "../test/helpers/database.js";
import { freePort, serviceEnv } from "../test/helpers/service-process.js";
import { gatewayFor } from "../test/helpers/simulator.js";
import { summariseCpuProfile, type ProfileSummary } from "./cpu-profile.js";

export interface ApiBenchResult {
  server: string;
  reqPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

const root = path.resolve(import.meta.dirname, "..");
const FLEET = { subscriptions: 2, vmsPerSubscription: 1000, scaleSetsPerSubscription: 2, instancesPerScaleSet: 10, seed: 42 };
/** Every VM gets one of these (no `none`): the list pages are all VMs with windows, as in an estate mid-wave. */
const KINDS = ["open", "later", "scheduled", "retryLater", "aborted", "completed"] as const;
const PATH = "/v1/virtual-machines?limit=100";
const DURATION_SECONDS = 8;
const ROUNDS = 2;
const PROFILE_SECONDS = 6;
const CONNECTIONS = 10;

interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  output(): string;
}

function start(name: string, args: string[], env: Record<string, string>, port: number): Server {
  const child = spawn(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH ?? "", ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
  return { name, url: `http://127.0.0.1:${port}`, child, output: () => text };
}

async function until(what: string, server: Server, check: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (server.child.exitCode !== null || Date.now() > deadline) throw new Error(`${server.name}: no ${what}\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Ready, and the sync it runs at start has finished (it would compete with the load otherwise). */
async function serviceReady(server: Server): Promise<void> {
  await until("readiness", server, async () => (await fetch(`${server.url}/readyz`)).ok);
  await until("finished start-up sync", server, async () => {
    const body = (await (await fetch(`${server.url}/v1/sync-runs?limit=1`)).json()) as { value: { status: string }[] };
    return body.value.length > 0 && body.value[0].status !== "running";
  });
}

async function stop(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}

async function load(url: string, seconds: number) {
  await autocannon({ url, connections: CONNECTIONS, amount: 500 }); // warm-up
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  return { requests: r.requests.total, p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx + r.errors };
}

async function page(server: Server): Promise<unknown> {
  const res = await fetch(`${server.url}${PATH}`);
  if (!res.ok) throw new Error(`${server.name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { value: unknown[] }).value;
}

async function seededFleet(databaseUrl: string, pool: Parameters<typeof requestSync>[0]["pool"]): Promise<Simulator> {
  const simulator = await startSimulator({ fleet: FLEET, pageSize: 1000 });
  const base = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  simulator.vms().forEach((vm, i) => simulator.setMaintenance(vm.resourceId, maintenanceOf(KINDS[i % KINDS.length], base, 0)));
  const run = await (await requestSync({ pool, gateway: gatewayFor(simulator), subscriptionIds: simulator.subscriptionIds, concurrency: 16 }, "api")).finished;
  if (run.status !== "succeeded") throw new Error(`sync ended ${run.status} (${databaseUrl})`);
  return simulator;
}

export async function benchApi(): Promise<{ rows: ApiBenchResult[]; ratio: number; profile: ProfileSummary }> {
  // What the image runs: the tsc build (prebuild also generates the Prisma client).
  execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
  const database = await createTestDatabase();
  const simulator = await seededFleet(database.url, database.db.pool);
  const env = serviceEnv(simulator, database.url, { NODE_ENV: "production", RATE_LIMIT_PER_MINUTE: "1000000", SYNC_INTERVAL: "1h", DISPATCH_INTERVAL: "5s" });
  const profiles = mkdtempSync(path.join(tmpdir(), "mp-bench-prof-"));
  const servers: Server[] = [];
  try {
    const service = start("Maintenance Planner (node dist/src/main.js)", ["dist/src/main.js"], env, await freePort());
    const bare = start("bare Fastify + pg, same documents", ["--import", "tsx", "bench/bare-server.ts"], { DATABASE_URL: database.url }, await freePort());
    servers.push(service, bare);
    await serviceReady(service);
    await until("listener", bare, async () => (await fetch(`${bare.url}${PATH}`)).ok);
    if (!isDeepStrictEqual(await page(service), await page(bare))) throw new Error("the bare route does not serve the service's documents");

    const totals = new Map<Server, { requests: number; p50Ms: number[]; p99Ms: number[]; non2xx: number }>(servers.map((s) => [s, { requests: 0, p50Ms: [], p99Ms: [], non2xx: 0 }]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const server of servers) {
        const r = await load(`${server.url}${PATH}`, DURATION_SECONDS);
        const t = totals.get(server)!;
        t.requests += r.requests;
        t.p50Ms.push(r.p50Ms);
        t.p99Ms.push(r.p99Ms);
        t.non2xx += r.non2xx;
      }
    }
    await stop(service);
    const rows = servers.map((s) => {
      const t = totals.get(s)!;
      return { server: s.name, reqPerSecond: Math.round(t.requests / (DURATION_SECONDS * ROUNDS)), p50Ms: Math.max(...t.p50Ms), p99Ms: Math.max(...t.p99Ms), non2xx: t.non2xx };
    });

    // Profiled run: the bare route stays up but idle.
    const profiled = start("profiled service", ["--cpu-prof", `--cpu-prof-dir=${profiles}`, "dist/src/main.js"], env, await freePort());
    servers.push(profiled);
    await serviceReady(profiled);
    await load(`${profiled.url}${PATH}`, PROFILE_SECONDS);
    await stop(profiled);
    const [file] = readdirSync(profiles).filter((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error(`no CPU profile written\n${profiled.output()}`);
    return { rows, ratio: Math.round((rows[0].reqPerSecond / rows[1].reqPerSecond) * 100) / 100, profile: summariseCpuProfile(path.join(profiles, file)) };
  } finally {
    await Promise.all(servers.map(stop));
    await simulator.close();
    await database.drop();
    rmSync(profiles, { recursive: true, force: true });
  }
}

/** The profile as printable lines, for bench/run.ts. */
export function profileNotes(profile: ProfileSummary): string[] {
  const line = (p: { name: string; selfMs: number; percent: number }) => `  ${String(p.percent).padStart(5)} %  ${String(p.selfMs).padStart(6)} ms  ${p.name}`;
  return [
    `CPU profile of the service under load (${profile.busyMs} ms busy), self time by area:`,
    ...profile.areas.map(line),
    "top functions by self time:",
    ...profile.functions.map(line),
  ];
}
