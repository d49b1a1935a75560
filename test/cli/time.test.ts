// --at as people type it: offsets kept, wall-clock times read in an IANA zone (DST included), +durations.
import { describe, expect, it } from "vitest";
import { parseDuration, parseTime } from "../../packages/cli/src/time.js";

describe("parseTime", () => {
  const now = Date.parse("2026-11-28T12:00:00Z");

  it.each([
    ["2026-12-01T22:00:00+01:00", undefined, "2026-12-01T22:00:00+01:00"],
    ["2026-12-01 22:00:00Z", undefined, "2026-12-01T22:00:00Z"],
    ["2026-12-01T22:00", "Europe/Amsterdam", "2026-12-01T21:00:00.000Z"], // CET, +01:00
    ["2026-07-01T22:00", "Europe/Amsterdam", "2026-07-01T20:00:00.000Z"], // CEST, +02:00
    ["2026-03-29T03:30", "Europe/Amsterdam", "2026-03-29T01:30:00.000Z"], // just after the spring-forward gap
    ["2026-12-01T22:00", "America/New_York", "2026-12-02T03:00:00.000Z"],
    ["2026-12-01T22:00", "UTC", "2026-12-01T22:00:00.000Z"],
    ["+90m", undefined, "2026-11-28T13:30:00.000Z"],
  ])("%s in %s → %s", (text, tz, expected) => {
    expect(parseTime(text, tz, now)).toBe(expected);
  });

  it.each([
    ["tomorrow", undefined, /must look like/],
    ["2026-02-30T10:00", "UTC", /not a valid time/],
    ["2026-12-01T22:00+01:00", "UTC", /has an offset already/],
    ["+2 hours", undefined, /duration/],
  ])("refuses %s (tz %s)", (text, tz, message) => {
    expect(() => parseTime(text, tz, now)).toThrow(message);
  });
});

describe("parseDuration", () => {
  it("reads the units the service's configuration uses", () => {
    expect(["500ms", "30s", "10m", "2h", "1d"].map((d) => parseDuration(d, "x"))).toEqual([500, 30_000, 600_000, 7_200_000, 86_400_000]);
    expect(() => parseDuration("2", "--timeout")).toThrow(/--timeout must be a duration/);
  });
});
