// Runs the CLI as a pipeline would: the `maintenance-planner` bin npm linked at the repository root, a real process.
import { spawn } from "node:child_process";
import path from "node:path";

export const CLI_BIN = path.resolve(import.meta.dirname, "../../node_modules/.bin/maintenance-planner");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(CLI_BIN, args, {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}
