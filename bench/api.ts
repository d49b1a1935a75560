// API read benchmark, on what users run: the built service (`node dist/src/main.js`, as in the image) as its own
// process, on a fresh database holding a fleet in which every VM carries maintenance windows, answering
// `GET /v1/virtual-machines?limit=100`; against a bare Fastify + pg route (bench/bare-server.ts, also its own
// process) serving the same documents, in the same run. The machine is shared and noisy: compare the ratio.
// A second, shorter run of the service under `node --cpu-prof` says where its time goes (the profile covers the
// whole process, start-up and its first sync included; under load the requests dominate it).
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import autocannon from "autocannon";
import { freePort } from "../test/helpers/service-process.js";
import { summariseCpuProfile, type ProfileSummary } from "./cpu-profile.js";
import { buildService, fleetWithWindows, serviceReady, startServer, stopServer, until, type Server } from "./deployed.js";

export interface ApiBenchResult {
  server: string;
  reqPerSecond: number;
  /** Median of the rounds' p50. */
  p50Ms: number;
  /** Worst of the rounds' p99. */
  p99Ms: number;
  non2xx: number;
}

/** The fleet of the API read benchmarks (this one and bench/metrics.ts). */
export const FLEET = { subscriptions: 2, vmsPerSubscription: 1000, scaleSetsPerSubscription: 2, instancesPerScaleSet: 10, seed: 42 };
const PATH = "/v1/virtual-machines?limit=100";
// Short alternating rounds: other load on the shared machine then falls on both servers alike.
const DURATION_SECONDS = 5;
const ROUNDS = 4;
const PROFILE_SECONDS = 6;
const CONNECTIONS = 10;

const warmUp = (url: string) => autocannon({ url, connections: CONNECTIONS, amount: 500 });

async function load(url: string, seconds: number) {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  return { requests: r.requests.total, p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx + r.errors };
}

async function page(server: Server): Promise<unknown> {
  const res = await fetch(`${server.url}${PATH}`);
  if (!res.ok) throw new Error(`${server.name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { value: unknown[] }).value;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Where two JSON documents first differ, as a path and both values. */
function firstDifference(a: unknown, b: unknown, at = "$"): string {
  if (isDeepStrictEqual(a, b)) return "none";
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return `${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const key = keys.find((k) => !isDeepStrictEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))!;
  return firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`);
}

export async function benchApi(): Promise<{ rows: ApiBenchResult[]; ratio: number; profile: ProfileSummary }> {
  buildService();
  const fleet = await fleetWithWindows(FLEET);
  const profiles = mkdtempSync(path.join(tmpdir(), "mp-bench-prof-"));
  const servers: Server[] = [];
  try {
    const service = startServer("Maintenance Planner (node dist/src/main.js)", ["dist/src/main.js"], fleet.env, await freePort());
    const bare = startServer("bare Fastify + pg, same documents", ["--import", "tsx", "bench/bare-server.ts"], { DATABASE_URL: fleet.database.url }, await freePort());
    servers.push(service, bare);
    await serviceReady(service);
    await until("listener", bare, async () => (await fetch(`${bare.url}${PATH}`)).ok);
    const [ours, theirs] = [await page(service), await page(bare)];
    if (!isDeepStrictEqual(ours, theirs)) throw new Error(`the bare route does not serve the service's documents (bench/bare-server.ts): ${firstDifference(ours, theirs)}`);

    for (const server of servers) await warmUp(`${server.url}${PATH}`);
    const runs = new Map<Server, Awaited<ReturnType<typeof load>>[]>(servers.map((s) => [s, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const server of servers) runs.get(server)!.push(await load(`${server.url}${PATH}`, DURATION_SECONDS));
    }
    await stopServer(service);
    const rows = servers.map((s) => {
      const r = runs.get(s)!;
      const requests = r.reduce((sum, x) => sum + x.requests, 0);
      return { server: s.name, reqPerSecond: Math.round(requests / (DURATION_SECONDS * ROUNDS)), p50Ms: median(r.map((x) => x.p50Ms)), p99Ms: Math.max(...r.map((x) => x.p99Ms)), non2xx: r.reduce((sum, x) => sum + x.non2xx, 0) };
    });

    // Profiled run: the bare route stays up but idle.
    const profiled = startServer("profiled service", ["--cpu-prof", `--cpu-prof-dir=${profiles}`, "dist/src/main.js"], fleet.env, await freePort());
    servers.push(profiled);
    await serviceReady(profiled);
    await warmUp(`${profiled.url}${PATH}`);
    await load(`${profiled.url}${PATH}`, PROFILE_SECONDS);
    await stopServer(profiled);
    const [file] = readdirSync(profiles).filter((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error(`no CPU profile written\n${profiled.output()}`);
    return { rows, ratio: Math.round((rows[0].reqPerSecond / rows[1].reqPerSecond) * 100) / 100, profile: summariseCpuProfile(path.join(profiles, file)) };
  } finally {
    await Promise.all(servers.map(stopServer));
    await fleet.close();
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
