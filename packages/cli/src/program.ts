import { Command, Option } from "commander";
import { applyCommand } from "./commands/apply.js";
import { bookingsCommand } from "./commands/bookings.js";
import { vmsCommand } from "./commands/vms.js";

export function buildProgram(): Command {
  const program = new Command("maintenance-planner")
    .description("Book and follow Azure VM maintenance through a Maintenance Planner service.")
    .version("0.1.0")
    .addOption(new Option("--url <url>", "the service").env("MAINTENANCE_PLANNER_URL").default("http://127.0.0.1:3000"))
    .addOption(new Option("--token <token>", "bearer token to send as is").env("MAINTENANCE_PLANNER_TOKEN"))
    .addOption(new Option("--scope <scope>", "get tokens for this Entra scope from DefaultAzureCredential (e.g. api://maintenance-planner/.default)").env("MAINTENANCE_PLANNER_SCOPE"))
    .addOption(new Option("--output <format>", "table or json (default: table on a terminal, json otherwise)").choices(["table", "json"]))
    .showHelpAfterError("(add --help for usage and examples)")
    // Errors come back to main.ts as CommanderError, which maps them to exit code 2 (usage).
    .exitOverride();
  program.addHelpText("after", `
Examples:
  $ maintenance-planner vms list --maintenance self-service-open
  $ maintenance-planner bookings create --vm web-01 --at 2026-12-01T22:00 --tz Europe/Amsterdam
  $ maintenance-planner bookings wait "$BOOKING_ID" --timeout 3h
  $ maintenance-planner apply -f plan.yaml --dry-run

Without --token or --scope no Authorization header is sent (a local service with AUTH_MODE=none).`);
  vmsCommand(program);
  bookingsCommand(program);
  applyCommand(program);
  return program;
}
