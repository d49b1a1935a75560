// Admin use cases for maintenance windows and blackouts: check a definition (domain), store it with its audit
// event in one transaction; read them back; evaluate them over a range. Also the loaders the booking rules and
// the planner use to get compiled calendars (`loadMaintenanceWindow`, `loadBlackouts`).
import type pg from "pg";
import { compileBlackout, blackoutIntervals, type Blackout, type BlackoutDefinition } from "../domain/blackouts.js";
import { cursorCodec, type Page } from "../domain/cursor.js";
import { DomainError } from "../domain/errors.js";
import { withLocalTimes } from "../domain/local-time.js";
import { compileRecurrence, evaluationRange, occurrencesBetween, type Recurrence, type RecurrenceDefinition } from "../domain/recurrence.js";
import { appendAuditEvent, type AuditContext } from "../db/audit-repo.js";
import type { Queryable } from "../db/bookings-repo.js";
import {
  BLACKOUTS, MAINTENANCE_WINDOWS, allDefinitions, deleteDefinition, getDefinition, listDefinitions, putDefinition,
  type BlackoutRow, type Definition, type DefinitionTable, type MaintenanceWindowRow,
} from "../db/calendars-repo.js";
import { withTransaction } from "../db/transaction.js";

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
}

export const MAINTENANCE_WINDOW: CalendarKind<MaintenanceWindowRow, Described<RecurrenceDefinition>> = {
  noun: "maintenance-window",
  path: "/v1/maintenance-windows",
  table: MAINTENANCE_WINDOWS,
  check: (_name, input) => ({ description: input.description ?? null, ...compileRecurrence(input).definition }),
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
};

function notFound(kind: CalendarKind<unknown, unknown>, name: string): DomainError {
  return new DomainError("not-found", `No ${kind.noun} named ${name}. List them with GET ${kind.path}.`);
}

export function putCalendarDefinition<Row, Input>(pool: pg.Pool, audit: AuditContext, kind: CalendarKind<Row, Input>, name: string, input: Input): Promise<{ row: Row; created: boolean }> {
  const definition = kind.check(name, input);
  return withTransaction(pool, async (client) => {
    const { row, before } = await putDefinition(client, kind.table, name, definition, audit.actor);
    await appendAuditEvent(client, { ...audit, action: `${kind.noun}.${before ? "replaced" : "created"}`, targetType: kind.noun, targetId: name, before, after: row });
    return { row, created: before === null };
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

/** Every blackout, ready to evaluate (for `blackoutAt` and `availabilityBetween`). */
export async function loadBlackouts(db: Queryable): Promise<Blackout[]> {
  return (await allDefinitions(db, BLACKOUTS)).map(compileBlackoutRow);
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
