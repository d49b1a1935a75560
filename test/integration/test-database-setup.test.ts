// `npm test` on a machine with no PostgreSQL: the globalSetup starts an embedded one for the run and removes it
// after. Checked by running one database-backed test file in a nested vitest whose "local PostgreSQL" port is one
// nothing listens on, and with no TEST_DATABASE_URL.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../helpers/service-process.js";

const root = path.resolve(import.meta.dirname, "../..");

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

describe("the test suite's database set-up", () => {
  it("starts an embedded PostgreSQL when none is listening, runs the tests against it, and removes it after", async () => {
    const unused = await freePort();
    const { code, output } = await run(process.execPath, [path.join(root, "node_modules/vitest/vitest.mjs"), "run", "test/integration/health.test.ts"], {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      TEST_POSTGRES_PORT: String(unused),
      NO_COLOR: "1",
    });
    expect(code, output).toBe(0);
    expect(output).toContain(`no PostgreSQL at 127.0.0.1:${unused}: starting an embedded one for this run`);
    expect(output).toMatch(/Tests\s+2 passed/);
    const [, port, dataDir] = output.match(/embedded PostgreSQL on 127\.0\.0\.1:(\d+), data in (\S+)/) ?? [];
    expect(output).toContain("embedded PostgreSQL stopped and its data removed");
    expect(await listening(Number(port))).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  }, 120_000);
});
