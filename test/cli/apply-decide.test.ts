// apply's decision per VM, from the plan entry and the VM's active booking.
import { describe, expect, it } from "vitest";
import type { Booking } from "@maintenance-planner/client";
import { decide } from "../../packages/cli/src/commands/apply.js";
import { isFinalBookingState } from "../../packages/client/src/types.js";

const booking = (over: Partial<Booking>) => ({ id: "b", state: "scheduled", startAt: "2026-12-01T21:00:00.000Z", note: null, ...over }) as Booking;

describe("apply: decide", () => {
  it.each([
    ["no booking, a time wanted", { startAt: "2026-12-01T22:00:00+01:00" }, undefined, "create"],
    ["the same instant written with another offset", { startAt: "2026-12-01T22:00:00+01:00" }, booking({}), "unchanged"],
    ["another time", { startAt: "2026-12-01T23:00:00+01:00" }, booking({}), "move"],
    ["same time, another note", { startAt: "2026-12-01T21:00:00Z", note: "x" }, booking({}), "update"],
    ["same time, no note in the plan", { startAt: "2026-12-01T21:00:00Z" }, booking({ note: "kept" }), "unchanged"],
    ["none wanted, one scheduled", { startAt: null }, booking({}), "cancel"],
    ["none wanted, none there", { startAt: null }, undefined, "unchanged"],
    ["running: left alone", { startAt: null }, booking({ state: "running" }), "unchanged"],
    ["held, another time: left alone until its group is resumed", { startAt: "2026-12-01T23:00:00+01:00" }, booking({ state: "held" }), "unchanged"],
    ["held, none wanted", { startAt: null }, booking({ state: "held" }), "cancel"],
  ])("%s → %s", (_, entry, active, action) => {
    expect(decide({ vm: "web-01", ...entry }, active).action).toBe(action);
  });
});

describe("final booking states", () => {
  it("held, scheduled and running may still change; the others are final", () => {
    expect(["scheduled", "held", "running"].map(isFinalBookingState)).toEqual([false, false, false]);
    expect(["completed", "failed", "skipped", "cancelled", "missed", "invalidated", "not-needed"].every(isFinalBookingState)).toBe(true);
  });
});
