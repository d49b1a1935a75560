// Admin use cases for maintenance windows and blackouts: check a definition (domain), store it with its audit
// event in one transaction (a blackout also invalidates the scheduled bookings it covers, in that transaction);
// read them back; evaluate them over a range. Also the loaders the booking rules and the planner use to get
// compiled calendars (`loadMaintenanceWindow`, `loadBlackouts`, `blackoutsForBooking`).
import type pg from "pg";
import { compileBlackout, blackoutIntervals, type Blackout, type BlackoutDefinition } from "../domain/blackouts.js";
import { cursorCodec, type Page } from "../domain/cursor.js";
import { DomainError } from "../domain/errors.js";
import { withLocalTimes } from "../domain/local-time.js";
import { compileRecurrence, evaluationRange, occurrencesBetween, type Recurrence, type RecurrenceDefinition } from "../domain/recurrence.js";
import { appendAuditEvent, type AuditContext } from "../db/audit-repo.js";
import type { TxClient } from "../db/booking-writes-repo.js";
import type { BookingRow, Queryable } from "../db/bookings-repo.js";
import {
  BLACKOUTS, MAINTENANCE_WINDOWS, allDefinitions, deleteDefinition, getDefinition, listDefinitions, lockBlackouts, putDefinition,
  type BlackoutRow, type Definition, type DefinitionTable, type MaintenanceWindowRow,
} from "../db/calendars-repo.js";
import { groupsBookingInto } from "../db/maintenance-groups-repo.js";
import { withTransaction } from "../db/transaction.js";
import { invalidateCoveredBookings } from "./blackout-enforcement.js";

const NAME_CURSOR = cursorCodec({ name: "name" });

type Described<T> = T & { description?: string | null };

/** One kind of named calendar definition: where it is stored, how it is named, and how an input is checked. */
export interface CalendarKind<Row, Input> {
  /** Audit target type and action prefix, and the word in messages. */
  noun: "maintenance-window" | "blackout";
  path: string;
  table: DefinitionTable<Row>;
  /** Checks an input (throws a DomainError naming the member at fault); returns what to store. */
  check(name: string, input: Input): Definition<Row>;
  /** What the stored definition means for bookings, in its transaction; returns the bookings it invalidated. */
  enforce?(client: TxClient, row: Row, audit: AuditContext): Promise<BookingRow[]>;
  /** Throws when the definition may not go (in the deleting transaction). */
  checkDelete?(client: TxClient, name: string): Promise<void>;
}

export const MAINTENANCE_WINDOW: CalendarKind<MaintenanceWindowRow, Described<RecurrenceDefinition>> = {
  noun: "maintenance-window",
  path: "/v1/maintenance-windows",
  table: MAINTENANCE_WINDOWS,
  check: (_name, input) => ({ description: input.description ?? null, ...compileRecurrence(input).definition }),
  checkDelete: async (client, name) => {
    const groups = await groupsBookingInto(client, name);
    if (groups.length) throw new DomainError("maintenance-window-in-use", `Maintenance groups ${groups.join(", ")} book into maintenance window ${name}; change their policy first.`);
  },
};

export const BLACKOUT: CalendarKind<BlackoutRow, Described<BlackoutDefinition>> = {
  noun: "blackout",
  path: "/v1/blackouts",
  table: BLACKOUTS,
  check: (name, input) => {
    const d = compileBlackout(name, input).definition;
    return {
      description: input.description ?? null, timeZone: d.timeZone, ranges: d.ranges ?? [], rrule: d.rrule ?? null, start: d.start ?? null,
      duration: d.duration ?? null, offsetDays: d.offsetDays ?? null, startDate: d.startDate ?? null, selector: d.selector ?? null,
    };
  },
  enforce: async (client, row, audit) => {
    await lockBlackouts(client, "exclusive");
    return invalidateCoveredBookings(client, compileBlackoutRow(row), await loadBlackouts(client), audit);
  },
};

function notFound(kind: CalendarKind<unknown, unknown>, name: string): DomainError {
  return new DomainError("not-found", `No ${kind.noun} named ${name}. List them with GET ${kind.path}.`);
}

export interface PutResult<Row> {
  row: Row;
  created: boolean;
  /** The scheduled bookings the definition covered, now `invalidated` (for re-booking when auto-booking applies). */
  invalidated: BookingRow[];
}

/**
 * Stores the definition with its audit event and enforces it; `rebook` (auto-booking) runs in the same transaction
 * when bookings were invalidated, so they are booked again, outside the blackout, as soon as it commits.
 */
export function putCalendarDefinition<Row, Input>(
  pool: pg.Pool, audit: AuditContext, kind: CalendarKind<Row, Input>, name: string, input: Input, rebook?: (client: TxClient) => Promise<unknown>,
): Promise<PutResult<Row>> {
  const definition = kind.check(name, input);
  return withTransaction(pool, async (client) => {
    const { row, before } = await putDefinition(client, kind.table, name, definition, audit.actor);
    await appendAuditEvent(client, { ...audit, action: `${kind.noun}.${before ? "replaced" : "created"}`, targetType: kind.noun, targetId: name, before, after: row });
    const invalidated = kind.enforce ? await kind.enforce(client, row, audit) : [];
    if (invalidated.length > 0 && rebook) await rebook(client);
    return { row, created: before === null, invalidated };
  });
}

export async function getCalendarDefinition<Row>(db: Queryable, kind: CalendarKind<Row, unknown>, name: string): Promise<Row> {
  const row = await getDefinition(db, kind.table, name);
  if (!row) throw notFound(kind, name);
  return row;
}

export async function listCalendarDefinitionsPage<Row extends { name: string }>(db: Queryable, kind: CalendarKind<Row, unknown>, limit: number, cursor: string | undefined): Promise<Page<Row>> {
  const after = NAME_CURSOR.decode(cursor)?.name ?? null;
  return NAME_CURSOR.page(await listDefinitions(db, kind.table, limit + 1, after), limit, (last) => ({ name: last.name }));
}

export function deleteCalendarDefinition<Row>(pool: pg.Pool, audit: AuditContext, kind: CalendarKind<Row, unknown>, name: string): Promise<void> {
  return withTransaction(pool, async (client) => {
    await kind.checkDelete?.(client, name);
    const row = await deleteDefinition(client, kind.table, name);
    if (!row) throw notFound(kind, name);
    await appendAuditEvent(client, { ...audit, action: `${kind.noun}.deleted`, targetType: kind.noun, targetId: name, before: row });
  });
}

// Stored definitions were checked when saved; the overlap check walks years of the rule, so loading skips it.
const LOADED = { checkOverlap: false } as const;
const compileWindowRow = (row: MaintenanceWindowRow) => compileRecurrence(row, LOADED);
const compileBlackoutRow = (row: BlackoutRow) => compileBlackout(row.name, row, LOADED);

/** The maintenance window named `name`, ready to evaluate; null when there is none. */
export async function loadMaintenanceWindow(db: Queryable, name: string): Promise<Recurrence | null> {
  const row = await getDefinition(db, MAINTENANCE_WINDOWS, name);
  return row && compileWindowRow(row);
}

/** The maintenance windows of these names that exist, ready to evaluate, by name (one statement). */
export async function loadMaintenanceWindows(db: Queryable, names: string[]): Promise<Map<string, Recurrence>> {
  if (names.length === 0) return new Map();
  const rows = (await allDefinitions(db, MAINTENANCE_WINDOWS)).filter((row) => names.includes(row.name));
  return new Map(rows.map((row) => [row.name, compileWindowRow(row)]));
}

/** Every blackout, ready to evaluate (for `blackoutAt` and `availabilityBetween`). */
export async function loadBlackouts(db: Queryable): Promise<Blackout[]> {
  return (await allDefinitions(db, BLACKOUTS)).map(compileBlackoutRow);
}

/**
 * The blackouts a booking being made or moved must keep out of (checkBookable), read in the transaction that
 * writes the booking, after any blackout being written has committed (lockBlackouts, shared). Every path that
 * makes or moves a booking calls it — a batch of bookings once per batch.
 */
export async function blackoutsForBooking(client: TxClient): Promise<Blackout[]> {
  await lockBlackouts(client, "shared");
  return loadBlackouts(client);
}

export interface RangeQuery {
  from?: string;
  to?: string;
}

function rangeOf(q: RangeQuery, now: Date) {
  return evaluationRange(q.from ? new Date(q.from) : undefined, q.to ? new Date(q.to) : undefined, now);
}

export async function maintenanceWindowOccurrences(db: Queryable, name: string, q: RangeQuery, now: Date) {
  const { from, to } = rangeOf(q, now);
  const window = compileWindowRow(await getCalendarDefinition(db, MAINTENANCE_WINDOW, name));
  return { timeZone: window.timeZone, from, to, value: occurrencesBetween(window, from, to).map((o) => withLocalTimes(o, window.timeZone)) };
}

export async function blackoutIntervalList(db: Queryable, name: string, q: RangeQuery, now: Date) {
  const { from, to } = rangeOf(q, now);
  const blackout = compileBlackoutRow(await getCalendarDefinition(db, BLACKOUT, name));
  return { timeZone: blackout.timeZone, from, to, value: blackoutIntervals(blackout, from, to).map((i) => withLocalTimes(i, blackout.timeZone)) };
}
