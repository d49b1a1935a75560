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
