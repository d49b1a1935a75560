// maintenance-planner: the CLI. Errors end as one line on stderr and an exit code (exit-codes.ts).
import { MaintenancePlannerError } from "@maintenance-planner/client";
import { CommanderError } from "commander";
import { EXIT, UsageError } from "./exit-codes.js";
import { buildProgram } from "./program.js";

function fail(code: number, message: string): void {
  process.stderr.write(`maintenance-planner: ${message}\n`);
  process.exitCode = code;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its message already; --help and --version are not errors.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof UsageError) {
    fail(EXIT.usage, error.message);
  } else if (error instanceof MaintenancePlannerError) {
    fail(EXIT.apiError, `${error.code}: ${error.detail}`);
  } else if (error instanceof TypeError && error.message === "fetch failed") {
    // fetch's own message says little; its cause (ECONNREFUSED, a certificate problem, …) says what went wrong.
    fail(EXIT.apiError, `cannot reach the service: ${error.cause instanceof Error ? error.cause.message : String(error.cause)}`);
  } else {
    fail(EXIT.apiError, error instanceof Error ? error.message : String(error));
  }
}
