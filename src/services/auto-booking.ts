// Automatic booking (src/domain/auto-booking.ts decides): after every sync, when an autoBook group is written, and
// when a blackout invalidated scheduled bookings. One transaction: read set-based, plan, write the bookings through
// the one writer (one statement set per group, createdBy `system:auto-booking:<group>`, audited and announced as any
// booking), remember their windows and the members without a slot, and raise `deadline.approaching` for those at
// once. The plan preview asks the same plan and writes nothing.
import type pg from "pg";
import { allGroups, autoBookCandidates, insertAutoBookings, plannedBookings, replaceUnplannable } from "../db/auto-booking-repo.js";
import type { TxClient } from "../db/booking-writes-repo.js";
import { withTransaction } from "../db/transaction.js";
import { autoBookingActor, planAutoBookings, type AutoBookInput, type AutoBookPlan, type AutoBooking } from "../domain/auto-booking.js";
import type { Blackout } from "../domain/blackouts.js";
import type { BookingPolicy } from "../domain/bookings.js";
import { createBookingRecords } from "./booking-transitions.js";
import { blackoutsForBooking, loadBlackouts, loadMaintenanceWindows } from "./calendars.js";
import { announceUnplannable } from "./deadline-alerts.js";
import { plannerSettings, type PlannerConfig } from "./planner-claim.js";

export interface AutoBookConfig {
  /** BOOKING_MIN_LEAD_SECONDS and BOOKING_END_MARGIN_SECONDS: auto bookings keep the rules every booking keeps. */
  policy: BookingPolicy;
  planner: PlannerConfig;
}

export interface AutoBookResult {
  booked: number;
  unplannable: number;
  /** `deadline.approaching` events raised for unplannable VMs (once per deadline). */
  alerted: number;
}

/** Any constant that names "the auto-booker" among advisory locks ("MPAB"): one run at a time, across replicas. */
const AUTO_BOOK_LOCK = 0x4d504142;

/**
 * The blackouts' lock (shared, as every booking write takes it), then the auto-booker's, in this order on every path
 * (a blackout write holds the first exclusively when it calls in); returns the blackouts. A group write takes them
 * before it locks its group's row, which an auto-booking run's `unplannable` rows need (their foreign key).
 */
export async function lockForAutoBooking(client: TxClient): Promise<Blackout[]> {
  const blackouts = await blackoutsForBooking(client);
  await client.query("SELECT pg_advisory_xact_lock($1)", [AUTO_BOOK_LOCK]);
  return blackouts;
}

/** The planner's input: autoBook groups (these, or all when null), their members to book, and what is planned. */
async function loadInput(client: TxClient, config: AutoBookConfig, now: Date, names: string[] | null, blackouts: Blackout[]): Promise<AutoBookInput> {
  const groups = await allGroups(client);
  const auto = groups.filter((g) => g.policy.autoBook && (names === null || names.includes(g.name)));
  const settings = await plannerSettings(client, config.planner);
  const candidates = await autoBookCandidates(client, auto.map((g) => g.name), now);
  const placements = [...new Set(candidates.flatMap((c) => (c.placement === null ? [] : [c.placement])))];
  const touched = [...new Set(candidates.flatMap((c) => c.groups))];
  const planned = await plannedBookings(client, placements, touched, settings.operationDurationMs);
  const windows = await loadMaintenanceWindows(client, [...new Set(groups.flatMap((g) => (g.policy.maintenanceWindow ? [g.policy.maintenanceWindow] : [])))]);
  return {
    now, blackouts, candidates, planned,
    settings: { policy: config.policy, updateDomainGapMs: config.planner.updateDomainGapMs, operationDurationMs: settings.operationDurationMs },
    groups: groups.map((g) => ({ ...g, window: g.policy.maintenanceWindow ? windows.get(g.policy.maintenanceWindow) ?? null : null })),
  };
}

/** Writes the planned bookings, one batch per group; returns how many were written (a VM booked meanwhile is skipped). */
async function writeBookings(client: TxClient, bookings: AutoBooking[], requestId: string | null): Promise<number> {
  const byGroup = new Map<string, AutoBooking[]>();
  for (const b of bookings) (byGroup.get(b.group) ?? byGroup.set(b.group, []).get(b.group)!).push(b);
  const written: { bookingId: string; booking: AutoBooking }[] = [];
  for (const [group, items] of byGroup) {
    const actor = autoBookingActor(group);
    const rows = await createBookingRecords(client, items.map((b) => ({ virtualMachineId: b.virtualMachineId, startAt: b.startAt, note: null, createdBy: actor })), {
      actor, requestId, action: "booking.created", after: { autoBooking: { group } },
    });
    rows.forEach((row, i) => row && written.push({ bookingId: row.id, booking: items[i] }));
  }
  await insertAutoBookings(client, written);
  return written.length;
}

/**
 * Books what auto-booking would book now, in the caller's transaction (a group or blackout write calls it in its
 * own, so the change and its bookings commit together). `names`: only these groups' members (all when null).
 */
export async function autoBookIn(client: TxClient, config: AutoBookConfig, now: Date, names: string[] | null = null, requestId: string | null = null): Promise<AutoBookResult> {
  const blackouts = await lockForAutoBooking(client);
  const input = await loadInput(client, config, now, names, blackouts);
  const plan = planAutoBookings(input);
  const booked = await writeBookings(client, plan.bookings, requestId);
  await replaceUnplannable(client, names ?? input.groups.map((g) => g.name), plan.unplannable);
  const alerted = await announceUnplannable(client, plan.unplannable);
  return { booked, unplannable: plan.unplannable.length, alerted };
}

export function runAutoBooking(pool: pg.Pool, config: AutoBookConfig, now: Date, names: string[] | null = null): Promise<AutoBookResult> {
  return withTransaction(pool, (client) => autoBookIn(client, config, now, names));
}

/** What auto-booking would do now, written nowhere (the plan preview; its transaction is read-only). */
export async function previewAutoBookings(client: TxClient, config: AutoBookConfig, now: Date): Promise<AutoBookPlan> {
  return planAutoBookings(await loadInput(client, config, now, null, await loadBlackouts(client)));
}

/** The SyncDeps.afterSync step (after the members are refreshed and the bookings re-checked: it re-books what they ended). */
export function autoBookAfterSync(pool: pg.Pool, config: AutoBookConfig, log?: { info(obj: object, msg: string): void }, clock: () => Date = () => new Date()) {
  return async (run: { id: string }): Promise<void> => {
    const result = await runAutoBooking(pool, config, clock());
    if (result.booked || result.unplannable) log?.info({ syncRunId: run.id, ...result }, "auto-booking after sync");
  };
}
