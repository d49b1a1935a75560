// Opaque pagination cursors: base64url JSON of the last item's sort key. Decoding validates the shape so a
// tampered cursor is a 400, never a database error.
import { DomainError } from "./errors.js";

export function encodeCursor(key: Record<string, string>): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

export function decodeCursor<K extends string>(cursor: string, fields: readonly K[]): Record<K, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = null;
  }
  const ok =
    typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) &&
    Object.keys(parsed).length === fields.length &&
    fields.every((f) => typeof (parsed as Record<string, unknown>)[f] === "string" && ((parsed as Record<string, string>)[f]).length <= 512);
  if (!ok) throw new DomainError("invalid-cursor", "The cursor is not one this service issued. Start again without `cursor`.");
  return parsed as Record<K, string>;
}

export interface Page<T> {
  items: T[];
  /** Cursor for the next page; null on the last one. */
  nextCursor: string | null;
}

/** A page from `limit + 1` rows: the extra row only tells that there is more; the cursor is the last item's key. */
export function toPage<T>(rows: T[], limit: number, keyOf: (last: T) => Record<string, string>): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(keyOf(items[items.length - 1])) : null };
}
