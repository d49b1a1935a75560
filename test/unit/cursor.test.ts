import { describe, expect, it } from "vitest";
import { cursorCodec } from "../../src/domain/cursor.js";
import { DomainError } from "../../src/domain/errors.js";

const raw = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
const UUID = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof DomainError ? e.code : String(e);
  }
}

describe("cursor codec", () => {
  const byTime = cursorCodec({ t: "timestamp", id: "uuid" });
  const byId = cursorCodec({ id: "bigint" });
  const byKey = cursorCodec({ k: "resource-id-key" });

  it("issues a cursor for the last item when there are more rows, and decodes it back to typed values", () => {
    const rows = [{ at: new Date("2026-11-28T10:00:00.000Z"), id: UUID }, { at: new Date("2026-11-28T11:00:00.000Z"), id: UUID }];
    const page = byTime.page(rows, 1, (last) => ({ t: last.at, id: last.id }));
    expect(page.items).toEqual([rows[0]]);
    expect(byTime.decode(page.nextCursor!)).toEqual({ t: rows[0].at, id: UUID });
    expect(byTime.page(rows, 2, (last) => ({ t: last.at, id: last.id })).nextCursor).toBeNull();
    expect(byTime.decode(undefined)).toBeNull();
    expect(byId.decode(raw({ id: "9223372036854775807" }))).toEqual({ id: "9223372036854775807" });
  });

  it.each([
    ["not base64 JSON", byKey, "!!!"],
    ["empty", byKey, ""],
    ["an array", byKey, raw(["/subscriptions/x"])],
    ["another field", byKey, raw({ other: "/subscriptions/x" })],
    ["an extra field", byKey, raw({ k: "/subscriptions/x", extra: "b" })],
    ["a number instead of a string", byKey, raw({ k: 1 })],
    ["a key no VM list issues", byKey, raw({ k: "zzz" })],
    ["a leap second", byTime, raw({ t: "2026-12-31T23:59:60.000Z", id: UUID })],
    ["February 30", byTime, raw({ t: "2026-02-30T00:00:00.000Z", id: UUID })],
    ["a year before PostgreSQL's range", byTime, raw({ t: "-271821-04-20T00:00:00.000Z", id: UUID })],
    ["a year after 9999", byTime, raw({ t: "+275760-09-13T00:00:00.000Z", id: UUID })],
    ["a date in another notation", byTime, raw({ t: "Tue, 01 Dec 2026 00:00:00 GMT", id: UUID })],
    ["an id of 36 dashes", byTime, raw({ t: "2026-11-28T00:00:00.000Z", id: "-".repeat(36) })],
    ["SQL in an id", byTime, raw({ t: "2026-11-28T00:00:00.000Z", id: "1; DROP TABLE bookings" })],
    ["a bigint id of zero", byId, raw({ id: "0" })],
    ["a negative bigint id", byId, raw({ id: "-1" })],
    ["a bigint id beyond 2^63 - 1", byId, raw({ id: "9223372036854775808" })],
  ])("refuses %s with invalid-cursor", (_name, codec, cursor) => {
    expect(codeOf(() => codec.decode(cursor))).toBe("invalid-cursor");
  });
});
