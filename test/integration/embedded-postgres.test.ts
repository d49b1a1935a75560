// Laptop mode from any folder: as root, the embedded PostgreSQL runs as user `postgres`, which cannot enter a
// private (0700) folder such as one from `mktemp -d`. A copy of this checkout inside such a folder must still serve
// the simulated fleet with `npm start`, and keep its data where only `postgres` may read it.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireTraversable, rootHomeFor } from "../../src/bootstrap/embedded-postgres-home.js";
import { freePort } from "../helpers/service-process.js";
import { until } from "../helpers/until.js";

const root = path.resolve(import.meta.dirname, "../..");
const asRoot = process.getuid?.() === 0;


describe.runIf(asRoot)("npm start as root in a private folder", () => {
  const privateDir = mkdtempSync(path.join(tmpdir(), "mp-clone-")); // mode 0700
  const checkout = path.join(privateDir, "checkout");
  let home = "";
  afterAll(() => {
    if (home) rmSync(home, { recursive: true, force: true });
    rmSync(privateDir, { recursive: true, force: true });
  });

  it("serves the simulated fleet with no manual step, its data owned by postgres and private", async () => {
    expect(statSync(privateDir).mode & 0o777).toBe(0o700);
    // A clone plus `npm ci`, made cheaply: the files copied, node_modules (read-only here) as hard links.
    execFileSync("mkdir", [checkout]);
    const entries = readdirSync(root).filter((e) => ![".git", ".data", "node_modules"].includes(e));
    execFileSync("cp", ["-a", ...entries.map((e) => path.join(root, e)), checkout]);
    execFileSync("cp", ["-al", path.join(root, "node_modules"), checkout]);
    home = rootHomeFor(checkout);

    const [port, pgPort] = [await freePort(), await freePort()];
    const child = spawn("npm", ["start"], {
      cwd: checkout,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), EMBEDDED_POSTGRES_PORT: String(pgPort), LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so the test can press Ctrl-C on all of it like a terminal would
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      const vms = await until("the synced fleet", async () => {
        const res = await fetch(`http://127.0.0.1:${port}/v1/virtual-machines?limit=5`);
        const body = (await res.json()) as { value: unknown[] };
        return res.status === 200 && body.value.length > 0 ? body.value : undefined;
      }, 120_000).catch((e) => Promise.reject(new Error(`${String(e)}\n${output}`)));
      expect(vms).toHaveLength(5);
    } finally {
      process.kill(-child.pid!, "SIGINT");
    }
    await exited;
    await until("the service to stop", async () => (output.includes('"msg":"stopped"') ? true : undefined), 30_000);

    const postgresUid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const data = statSync(path.join(home, "data"));
    expect({ uid: data.uid, mode: data.mode & 0o777 }).toEqual({ uid: postgresUid, mode: 0o700 });
    expect(statSync(home).mode & 0o777).toBe(0o755);
    expect(existsSync(path.join(checkout, ".data"))).toBe(false);
    // Stopped with the service: nothing listens on its port any more.
    await expect(fetch(`http://127.0.0.1:${pgPort}`)).rejects.toThrow();
  }, 180_000);
});

describe("embedded PostgreSQL as a user other than root", () => {
  const nobody = { user: "nobody", uid: 65534, gid: 65534 };
  const reachable = (() => {
    try {
      requireTraversable(path.join(root, "node_modules", "x"), nobody);
      return true;
    } catch {
      return false;
    }
  })();

  // As root we can try the non-root path for real by running as `nobody`; the checkout must be open to it.
  it.runIf(asRoot && reachable)("runs its binaries from node_modules as that user, data in a folder it owns", async () => {
    const dataParent = mkdtempSync(path.join(tmpdir(), "mp-nobody-"));
    execFileSync("chown", ["nobody", dataParent]);
    try {
      const port = await freePort();
      const script = [
        `const { startEmbeddedPostgres } = await import("./src/bootstrap/embedded-postgres.ts");`,
        `const db = await startEmbeddedPostgres({ port: ${port}, log: console.log, dataDir: ${JSON.stringify(path.join(dataParent, "data"))}, ephemeral: true });`,
        `const pg = (await import("pg")).default; const c = new pg.Client(db.urlFor("postgres")); await c.connect();`,
        `console.log("user=" + (await c.query("select current_user")).rows[0].current_user); await c.end(); await db.stop();`,
      ].join("\n");
      const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        cwd: root, uid: nobody.uid, gid: nobody.gid, env: { PATH: process.env.PATH, HOME: dataParent }, encoding: "utf8", timeout: 60_000,
      });
      expect(out).toContain(`data in ${path.join(dataParent, "data")}\n`);
      expect(out).not.toContain("run as user");
      expect(out).toContain("user=postgres");
      expect(existsSync(path.join(dataParent, "data"))).toBe(false);
    } finally {
      rmSync(dataParent, { recursive: true, force: true });
    }
  }, 90_000);
});
