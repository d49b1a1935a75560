import { WaitTimeoutError, type Booking } from "@maintenance-planner/client";
import type { Command } from "commander";
import { contextOf } from "../context.js";
import { EXIT, waitExitCode } from "../exit-codes.js";
import { print, type Column } from "../output.js";
import { checkTimeZone, parseDuration, parseTime } from "../time.js";
import { resolveVm } from "../vm-ref.js";

export const BOOKING_COLUMNS: Column<Booking>[] = [
  { header: "ID", value: (b) => b.id },
  { header: "VM", value: (b) => b.virtualMachineId },
  { header: "START (UTC)", value: (b) => b.startAt },
  { header: "STATE", value: (b) => b.state },
  { header: "NOTE", value: (b) => b.note },
];

const repeat = (v: string, all: string[]) => [...all, v];
const TIME_HELP = "RFC 3339 with offset (2026-12-01T22:00:00+01:00), a wall-clock time read in --tz (2026-12-01T22:00), or +2h from now";

export function bookingsCommand(program: Command): void {
  const bookings = program
    .command("bookings")
    .description("book, move, cancel and follow maintenance")
    .addHelpText("after", `
Examples:
  $ id=$(maintenance-planner bookings create --vm web-01 --at +2h --output json | jq -r .id)
  $ maintenance-planner bookings wait "$id"`);

  bookings
    .command("create")
    .description("book a time to start a VM's self-service maintenance")
    .requiredOption("--vm <ref>", "the VM: its id, ARM resource id, or name")
    .requiredOption("--at <time>", TIME_HELP)
    .option("--tz <zone>", "IANA time zone for --at without offset (default: this machine's)")
    .option("--note <text>", "free text for people")
    .addHelpText("after", `
Examples:
  $ maintenance-planner bookings create --vm web-01 --at 2026-12-01T22:00 --tz Europe/Amsterdam --note "Patch night"
  $ maintenance-planner bookings create --vm /subscriptions/…/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01 --at +1h`)
    .action(async (opts: { vm: string; at: string; tz?: string; note?: string }, command: Command) => {
      const startAt = parseTime(opts.at, opts.tz && checkTimeZone(opts.tz));
      const { client, output } = contextOf(command);
      const booking = await client.createBooking({ virtualMachineId: await resolveVm(client, opts.vm), startAt, note: opts.note });
      print(output, booking, BOOKING_COLUMNS);
    });

  bookings
    .command("list")
    .description("list bookings (every page), newest first")
    .option("--state <state>", "only this state (repeatable)", repeat, [])
    .option("--vm <ref>", "only this VM: its id, ARM resource id, or name")
    .option("--subscription <id>", "only this subscription")
    .option("--from <time>", `start at or after (${TIME_HELP})`)
    .option("--to <time>", "start at or before")
    .option("--tz <zone>", "IANA time zone for --from/--to without offset")
    .addHelpText("after", `
Examples:
  $ maintenance-planner bookings list --state scheduled --state running
  $ maintenance-planner bookings list --vm web-01 --output json`)
    .action(async (opts: { state: string[]; vm?: string; subscription?: string; from?: string; to?: string; tz?: string }, command: Command) => {
      const tz = opts.tz && checkTimeZone(opts.tz);
      const startFrom = opts.from === undefined ? undefined : parseTime(opts.from, tz);
      const startTo = opts.to === undefined ? undefined : parseTime(opts.to, tz);
      const { client, output } = contextOf(command);
      const virtualMachineId = opts.vm === undefined ? undefined : await resolveVm(client, opts.vm);
      const query = { state: opts.state.length ? (opts.state as Booking["state"][]) : undefined, virtualMachineId, subscriptionId: opts.subscription, startFrom, startTo, limit: 1000 };
      const found: Booking[] = [];
      for await (const booking of client.listBookings(query)) found.push(booking);
      print(output, found, BOOKING_COLUMNS);
    });

  bookings
    .command("get")
    .description("one booking with its execution attempts")
    .argument("<id>", "booking id")
    .addHelpText("after", "\nExample:\n  $ maintenance-planner bookings get 7c9e6679-7425-40de-944b-e07fc1f90ae7 --output json | jq .attempts")
    .action(async (id: string, _opts: unknown, command: Command) => {
      const { client, output } = contextOf(command);
      print(output, await client.getBooking(id), BOOKING_COLUMNS);
    });

  bookings
    .command("move")
    .description("move a scheduled booking to another time")
    .argument("<id>", "booking id")
    .requiredOption("--at <time>", TIME_HELP)
    .option("--tz <zone>", "IANA time zone for --at without offset")
    .addHelpText("after", "\nExample:\n  $ maintenance-planner bookings move 7c9e6679-7425-40de-944b-e07fc1f90ae7 --at 2026-12-02T22:00 --tz Europe/Amsterdam")
    .action(async (id: string, opts: { at: string; tz?: string }, command: Command) => {
      const startAt = parseTime(opts.at, opts.tz && checkTimeZone(opts.tz));
      const { client, output } = contextOf(command);
      print(output, await client.updateBooking(id, { startAt }), BOOKING_COLUMNS);
    });

  bookings
    .command("cancel")
    .description("cancel a scheduled booking")
    .argument("<id>", "booking id")
    .addHelpText("after", "\nExample:\n  $ maintenance-planner bookings cancel 7c9e6679-7425-40de-944b-e07fc1f90ae7")
    .action(async (id: string, _opts: unknown, command: Command) => {
      const { client, output } = contextOf(command);
      print(output, await client.cancelBooking(id), BOOKING_COLUMNS);
    });

  bookings
    .command("wait")
    .description("wait until the booking is final; the exit code tells which final state")
    .argument("<id>", "booking id")
    .option("--timeout <duration>", "give up after this long (exit 3)", "2h")
    .option("--interval <duration>", "how often to ask", "10s")
    .addHelpText("after", `
Exit codes: 0 completed, 10 failed, 11 skipped, 12 cancelled, 13 missed, 14 invalidated, 15 not-needed,
19 another final state, 3 timed out, 1 API error, 2 usage error.

Example:
  $ maintenance-planner bookings wait "$BOOKING_ID" --timeout 3h || echo "maintenance did not complete: $?"`)
    .action(async (id: string, opts: { timeout: string; interval: string }, command: Command) => {
      const timeoutMs = parseDuration(opts.timeout, "--timeout");
      const intervalMs = parseDuration(opts.interval, "--interval");
      const { client, output } = contextOf(command);
      try {
        const booking = await client.waitForBooking(id, { timeoutMs, intervalMs });
        print(output, booking, BOOKING_COLUMNS);
        process.exitCode = waitExitCode(booking.state);
      } catch (error) {
        if (!(error instanceof WaitTimeoutError)) throw error;
        process.stderr.write(`maintenance-planner: timed out: ${error.message}\n`);
        process.exitCode = EXIT.timeout;
      }
    });
}
