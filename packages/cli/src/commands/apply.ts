// `apply -f plan.yaml`: makes the service's bookings match the plan. Everything is read and checked first (a bad
// entry changes nothing); then per VM: create, move, update (note), cancel or leave unchanged. Applying the same
// plan again finds nothing to do. A running booking is left alone; a held one can only be cancelled.
import { ACTIVE_BOOKING_STATES, type Booking, type BookingState, type MaintenancePlannerClient } from "@maintenance-planner/client";
import type { Command } from "commander";
import { contextOf } from "../context.js";
import { UsageError } from "../exit-codes.js";
import { print, type Column } from "../output.js";
import { readPlan, type PlanEntry } from "../plan.js";
import { resolveVm } from "../vm-ref.js";

export type Action = "create" | "move" | "update" | "cancel" | "unchanged";

export interface Change {
  action: Action;
  vm: string;
  virtualMachineId: string;
  bookingId: string | null;
  startAt: string | null;
  previousStartAt: string | null;
  reason: string | null;
  applied: boolean;
}

const COLUMNS: Column<Change>[] = [
  { header: "ACTION", value: (c) => c.action },
  { header: "VM", value: (c) => c.vm },
  { header: "START (UTC)", value: (c) => (c.action === "move" ? `${c.previousStartAt} → ${c.startAt}` : c.startAt) },
  { header: "BOOKING", value: (c) => c.bookingId },
  { header: "REASON", value: (c) => c.reason },
];

/** What to do for one plan entry, given the VM's active booking (if any). */
export function decide(entry: PlanEntry, active: Booking | undefined): Pick<Change, "action" | "reason"> {
  if (active?.state === "running") return { action: "unchanged", reason: "running: it can no longer be changed" };
  // A held booking can be cancelled but not changed until its group is resumed (POST /v1/maintenance-groups/{name}/resume).
  if (active?.state === "held" && entry.startAt !== null) return { action: "unchanged", reason: "held by its maintenance group: resume the group to change it" };
  if (entry.startAt === null) return active ? { action: "cancel", reason: null } : { action: "unchanged", reason: "no active booking" };
  if (!active) return { action: "create", reason: null };
  if (Date.parse(active.startAt) !== Date.parse(entry.startAt)) return { action: "move", reason: null };
  if (entry.note !== undefined && entry.note !== (active.note ?? "")) return { action: "update", reason: "note" };
  return { action: "unchanged", reason: null };
}

async function plan(client: MaintenancePlannerClient, entries: PlanEntry[]): Promise<{ change: Change; entry: PlanEntry }[]> {
  const ids = await Promise.all(entries.map((e) => resolveVm(client, e.vm)));
  const seen = new Map<string, string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) throw new UsageError(`the plan names one VM twice: ${seen.get(id)} and ${entries[i].vm}`);
    seen.set(id, entries[i].vm);
  });
  return Promise.all(
    entries.map(async (entry, i) => {
      let active: Booking | undefined;
      for await (const b of client.listBookings({ virtualMachineId: ids[i], state: [...ACTIVE_BOOKING_STATES] as BookingState[] })) active = b;
      const { action, reason } = decide(entry, active);
      const change: Change = {
        action, vm: entry.vm, virtualMachineId: ids[i], bookingId: active?.id ?? null,
        startAt: action === "cancel" ? null : (entry.startAt ?? active?.startAt ?? null), previousStartAt: action === "move" ? active!.startAt : null,
        reason, applied: false,
      };
      return { change, entry };
    }),
  );
}

async function carryOut(client: MaintenancePlannerClient, { change, entry }: { change: Change; entry: PlanEntry }): Promise<void> {
  const note = entry.note === undefined ? {} : { note: entry.note };
  let booking: Booking | undefined;
  if (change.action === "create") booking = await client.createBooking({ virtualMachineId: change.virtualMachineId, startAt: entry.startAt!, ...note });
  if (change.action === "move") booking = await client.updateBooking(change.bookingId!, { startAt: entry.startAt!, ...note });
  if (change.action === "update") booking = await client.updateBooking(change.bookingId!, note);
  if (change.action === "cancel") booking = await client.cancelBooking(change.bookingId!);
  if (booking) Object.assign(change, { bookingId: booking.id, startAt: change.action === "cancel" ? null : booking.startAt });
  change.applied = change.action !== "unchanged";
}

export function applyCommand(program: Command): void {
  program
    .command("apply")
    .description("make the bookings match a plan file: create, move, update, cancel; twice changes nothing")
    .requiredOption("-f, --file <plan.yaml>", "the plan")
    .option("--dry-run", "print the changes without making them")
    .addHelpText("after", `
Plan file:
  timeZone: Europe/Amsterdam        # optional, for times without an offset
  bookings:
    - vm: web-01                    # id, ARM resource id or name
      at: "2026-12-01T22:00"        # or 2026-12-01T22:00:00+01:00, or none (cancel its booking)
      note: Patch night             # optional

Examples:
  $ maintenance-planner apply -f plan.yaml --dry-run
  $ maintenance-planner apply -f plan.yaml --output json | jq '.[] | select(.action != "unchanged")'`)
    .action(async (opts: { file: string; dryRun?: boolean }, command: Command) => {
      const entries = readPlan(opts.file);
      const { client, output } = contextOf(command);
      const steps = await plan(client, entries);
      if (!opts.dryRun) for (const step of steps) await carryOut(client, step);
      else if (output === "table") process.stderr.write("dry run: nothing was changed\n");
      print(output, steps.map((s) => s.change), COLUMNS);
    });
}
