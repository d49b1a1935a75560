// Opaque pagination cursors: base64url JSON of the last item's sort key. One codec for every list: each field
// has a kind, and decoding checks every value against its kind, so a tampered cursor is a 400 `invalid-cursor`,
// never a cast error, an out-of-range timestamp or an Invalid Date in the database.
import { armKey } from "./arm-names.js";
import { DomainError } from "./errors.js";

/**
 * `timestamp`: as Date#toISOString writes it (years 0000–9999, which PostgreSQL's timestamptz holds);
 * `uuid`; `bigint`: a positive bigserial id; `resource-id-key`: a VM's resourceIdKey; `name`: a calendar name.
 */
export type CursorFieldKind = "timestamp" | "uuid" | "bigint" | "resource-id-key" | "name";
type Value<K extends CursorFieldKind> = K extends "timestamp" ? Date : string;
export type CursorKey<S extends Record<string, CursorFieldKind>> = { [F in keyof S]: Value<S[F]> };

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BIGINT_MAX = 9223372036854775807n;

const VALID: Record<CursorFieldKind, (v: string) => boolean> = {
  // Round-tripping rejects what the pattern lets through: Feb 30, 24:00, leap seconds.
  timestamp: (v) => ISO_INSTANT.test(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v,
  uuid: (v) => UUID.test(v),
  bigint: (v) => /^[1-9][0-9]{0,18}$/.test(v) && BigInt(v) <= BIGINT_MAX,
  "resource-id-key": (v) => v.length <= 512 && v.startsWith("/SUBSCRIPTIONS/") && armKey(v) === v,
  // A maintenance window's or blackout's name (src/http/schemas/calendars.ts).
  name: (v) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(v),
};

export interface Page<T> {
  items: T[];
  /** Cursor for the next page; null on the last one. */
  nextCursor: string | null;
}

function invalidCursor(): DomainError {
  return new DomainError("invalid-cursor", "The cursor is not one this service issued. Start again without `cursor`.");
}

export interface CursorCodec<S extends Record<string, CursorFieldKind>> {
  /** The key a cursor carries (null without a cursor); throws `invalid-cursor` for anything this codec did not issue. */
  decode(cursor: string | undefined): CursorKey<S> | null;
  /** A page from `limit + 1` rows: the extra row only tells that there is more; the cursor is the last item's key. */
  page<T>(rows: T[], limit: number, keyOf: (last: T) => CursorKey<S>): Page<T>;
}

export function cursorCodec<S extends Record<string, CursorFieldKind>>(shape: S): CursorCodec<S> {
  const fields = Object.keys(shape);
  const encode = (key: CursorKey<S>) => {
    const raw = Object.fromEntries(fields.map((f) => [f, key[f] instanceof Date ? (key[f] as Date).toISOString() : key[f]]));
    return Buffer.from(JSON.stringify(raw), "utf8").toString("base64url");
  };
  return {
    decode(cursor) {
      if (cursor === undefined) return null;
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
      } catch {
        throw invalidCursor();
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || Object.keys(parsed).length !== fields.length) throw invalidCursor();
      const values = parsed as Record<string, unknown>;
      const key: Record<string, string | Date> = {};
      for (const f of fields) {
        const v = values[f];
        if (typeof v !== "string" || !VALID[shape[f]](v)) throw invalidCursor();
        key[f] = shape[f] === "timestamp" ? new Date(v) : v;
      }
      return key as CursorKey<S>;
    },
    page(rows, limit, keyOf) {
      const items = rows.slice(0, limit);
      return { items, nextCursor: rows.length > limit ? encode(keyOf(items[items.length - 1])) : null };
    },
  };
}
