import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../src/domain/cursor.js";
import { DomainError } from "../../src/domain/errors.js";

describe("cursors", () => {
  it("round-trips", () => {
    expect(decodeCursor(encodeCursor({ k: "/subscriptions/x" }), ["k"])).toEqual({ k: "/subscriptions/x" });
  });
  it.each(["", "!!!", Buffer.from("[1]").toString("base64url"), encodeCursor({ other: "x" }), encodeCursor({ k: "a", extra: "b" }), Buffer.from('{"k":1}').toString("base64url")])(
    "refuses %s with invalid-cursor",
    (bad) => {
      expect(() => decodeCursor(bad, ["k"])).toThrow(DomainError);
      try {
        decodeCursor(bad, ["k"]);
      } catch (e) {
        expect((e as DomainError).code).toBe("invalid-cursor");
      }
    },
  );
});
