import { describe, expect, it } from "vitest";
import { BOOKING_STATES, canTransition, isFinal } from "../../src/domain/booking-states.js";

describe("booking lifecycle", () => {
  it("final states never change", () => {
    for (const from of BOOKING_STATES.filter(isFinal)) {
      for (const to of BOOKING_STATES) expect(canTransition(from, to)).toBe(false);
    }
    expect(BOOKING_STATES.filter((s) => !isFinal(s))).toEqual(["scheduled", "held", "running"]);
  });
  it("follows scheduled → running → outcome, and scheduled → terminal", () => {
    expect(canTransition("scheduled", "running")).toBe(true);
    for (const s of ["completed", "failed", "skipped"] as const) {
      expect(canTransition("running", s)).toBe(true);
      expect(canTransition("scheduled", s)).toBe(false);
    }
    for (const s of ["cancelled", "missed", "invalidated", "not-needed"] as const) expect(canTransition("scheduled", s)).toBe(true);
    expect(canTransition("running", "cancelled")).toBe(false);
    expect(canTransition("running", "scheduled")).toBe(false);
  });
  it("holds a scheduled booking, and a held one is resumed or ends without running", () => {
    expect(canTransition("scheduled", "held")).toBe(true);
    expect(canTransition("held", "scheduled")).toBe(true);
    for (const s of ["cancelled", "missed", "invalidated", "not-needed"] as const) expect(canTransition("held", s)).toBe(true);
    for (const s of ["running", "completed", "failed", "skipped"] as const) expect(canTransition("held", s)).toBe(false);
    expect(canTransition("running", "held")).toBe(false);
  });
});
