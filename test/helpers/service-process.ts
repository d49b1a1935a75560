// Runs the real service (src/main.ts) as a child process against a test database and an in-test ARM simulator,
// for tests that kill processes or run several replicas. Always `stopAll()` in afterAll.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Simulator } from "../../src/azure/simulator/index.js";

export interface ServiceProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  output(): string;
}

export function serviceEnv(sim: Simulator, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), "mp-sim-ca-"));
  const caFile = path.join(dir, "ca.pem");
  writeFileSync(caFile, sim.ca);
  return {
    AZURE_MODE: "azure",
    AZURE_SUBSCRIPTION_IDS: sim.subscriptionIds.join(","),
    AZURE_ARM_ENDPOINT: sim.url,
    AZURE_ARM_TOKEN: "test",
    NODE_EXTRA_CA_CERTS: caFile,
    DATABASE_URL: databaseUrl,
    PORT: "0",
    DISPATCH_INTERVAL: "200ms",
    SYNC_INTERVAL: "1h",
    LOG_LEVEL: "warn",
    // AZURE_MODE=azure defaults to Entra authentication; these tests drive the scheduler, not the API.
    AUTH_MODE: "none",
    ...extra,
  };
}

const started: ServiceProcess[] = [];

export function startService(env: Record<string, string>): ServiceProcess {
  const { PATH, HOME } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: path.resolve(import.meta.dirname, "../.."),
    env: { PATH: PATH ?? "", HOME: HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const service = { child, exited, output: () => text };
  started.push(service);
  return service;
}

/** SIGKILLs every service a test started that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all(
    started.splice(0).map(async (s) => {
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
      await s.exited;
    }),
  );
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a child process that must listen on a known port). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export { until } from "./until.js";
