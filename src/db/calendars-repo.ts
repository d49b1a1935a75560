// Maintenance windows and blackouts in SQL: two tables of named definitions with the same life (put, get,
// list by name, delete), so one set of statements serves both, driven by each table's column list.
import type { LocalRange } from "../domain/blackouts.js";
import type { VmSelector } from "../domain/vm-selector.js";
import type { Queryable } from "./bookings-repo.js";

interface Meta {
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
}

export interface MaintenanceWindowRow extends Meta {
  name: string;
  description: string | null;
  timeZone: string;
  rrule: string;
  start: string;
  duration: string;
  offsetDays: number;
  /** "YYYY-MM-DD" (read as text: node-postgres would make a DATE a Date at local midnight). */
  startDate: string | null;
}

export interface BlackoutRow extends Meta {
  name: string;
  description: string | null;
  timeZone: string;
  ranges: LocalRange[];
  rrule: string | null;
  start: string | null;
  duration: string | null;
  offsetDays: number | null;
  startDate: string | null;
  selector: VmSelector | null;
}

/** A table of named definitions: its definition columns by field (`name` and the audit columns are implied). */
export interface DefinitionTable<Row> {
  table: "maintenance_windows" | "blackouts";
  columns: Record<Exclude<keyof Row, keyof Meta | "name">, string>;
  /** Fields stored as jsonb. */
  json: readonly string[];
}

export const MAINTENANCE_WINDOWS: DefinitionTable<MaintenanceWindowRow> = {
  table: "maintenance_windows",
  columns: { description: "description", timeZone: "time_zone", rrule: "rrule", start: "start", duration: "duration", offsetDays: "offset_days", startDate: "start_date" },
  json: [],
};

export const BLACKOUTS: DefinitionTable<BlackoutRow> = {
  table: "blackouts",
  columns: {
    description: "description", timeZone: "time_zone", ranges: "ranges", rrule: "rrule", start: "start", duration: "duration",
    offsetDays: "offset_days", startDate: "start_date", selector: "selector",
  },
  json: ["ranges", "selector"],
};

export type Definition<Row> = Omit<Row, keyof Meta | "name">;

function selectList(spec: DefinitionTable<unknown>): string {
  const fields = Object.entries<string>(spec.columns).map(([field, column]) => (column === "start_date" ? `start_date::text AS "${field}"` : `"${column}" AS "${field}"`));
  return ["name", ...fields, `created_at AS "createdAt"`, `created_by AS "createdBy"`, `updated_at AS "updatedAt"`, `updated_by AS "updatedBy"`].join(", ");
}

export async function getDefinition<Row>(db: Queryable, spec: DefinitionTable<Row>, name: string, forUpdate = false): Promise<Row | null> {
  const { rows } = await db.query(`SELECT ${selectList(spec)} FROM ${spec.table} WHERE name = $1${forUpdate ? " FOR UPDATE" : ""}`, [name]);
  return (rows[0] as Row) ?? null;
}

export async function listDefinitions<Row>(db: Queryable, spec: DefinitionTable<Row>, limit: number, afterName: string | null): Promise<Row[]> {
  const { rows } = await db.query(`SELECT ${selectList(spec)} FROM ${spec.table} WHERE ($1::text IS NULL OR name > $1) ORDER BY name LIMIT $2`, [afterName, limit]);
  return rows as Row[];
}

/** Every definition in the table (the blackouts the booking rules and the planner evaluate). */
export async function allDefinitions<Row>(db: Queryable, spec: DefinitionTable<Row>): Promise<Row[]> {
  const { rows } = await db.query(`SELECT ${selectList(spec)} FROM ${spec.table} ORDER BY name`);
  return rows as Row[];
}

/**
 * Creates or replaces `name`; call inside a transaction. Returns the row and the one it replaced (null: created).
 * The existing row is locked first; if another transaction creates the same name meanwhile, the insert does
 * nothing and the replace path runs again, so concurrent puts serialise instead of failing.
 */
export async function putDefinition<Row>(db: Queryable, spec: DefinitionTable<Row>, name: string, definition: Definition<Row>, actor: string): Promise<{ row: Row; before: Row | null }> {
  const entries = Object.entries<string>(spec.columns).map(([field, column], i) => {
    const value = (definition as Record<string, unknown>)[field] ?? null;
    return { column, param: `$${i + 3}${spec.json.includes(field) ? "::jsonb" : ""}`, value: spec.json.includes(field) && value !== null ? JSON.stringify(value) : value };
  });
  const params = [name, actor, ...entries.map((e) => e.value)];
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = await getDefinition(db, spec, name, true);
    const sql = before
      ? `UPDATE ${spec.table} SET ${entries.map((e) => `"${e.column}" = ${e.param}`).join(", ")}, updated_at = now(), updated_by = $2 WHERE name = $1 RETURNING name`
      : `INSERT INTO ${spec.table} (name, created_by, updated_by, ${entries.map((e) => `"${e.column}"`).join(", ")})
         VALUES ($1, $2, $2, ${entries.map((e) => e.param).join(", ")}) ON CONFLICT (name) DO NOTHING RETURNING name`;
    const { rowCount } = await db.query(sql, params);
    if (rowCount) return { row: (await getDefinition(db, spec, name))!, before };
  }
  throw new Error(`${spec.table} ${name}: could not create or replace (changed concurrently three times)`);
}

/** Deletes and returns the definition; null when there is none by this name. */
export async function deleteDefinition<Row>(db: Queryable, spec: DefinitionTable<Row>, name: string): Promise<Row | null> {
  const { rows } = await db.query(`DELETE FROM ${spec.table} WHERE name = $1 RETURNING ${selectList(spec)}`, [name]);
  return (rows[0] as Row) ?? null;
}

/** Arbitrary constant that identifies "the blackouts" among advisory locks ("MPBO"). */
const BLACKOUTS_LOCK_KEY = 0x4d50424f;

/**
 * Orders blackout writes against booking writes, until the transaction ends: a booking being made or moved holds
 * it shared while it reads the blackouts and writes; a blackout being written takes it exclusively before it looks
 * for the scheduled bookings it covers. So each sees the other committed, whichever comes first, and a booking
 * and a blackout written at once cannot miss each other (READ COMMITTED: each statement sees what committed
 * before it began). Bookings do not wait for each other.
 */
export async function lockBlackouts(db: Queryable, mode: "shared" | "exclusive"): Promise<void> {
  await db.query(mode === "shared" ? "SELECT pg_advisory_xact_lock_shared($1)" : "SELECT pg_advisory_xact_lock($1)", [BLACKOUTS_LOCK_KEY]);
}
