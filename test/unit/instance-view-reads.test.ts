import { describe, expect, it } from "vitest";
import { decideRead, sweepPhaseMs, sweepSlotPassed, type StoredReadState } from "../../src/domain/instance-view-reads.js";

const HOUR = 3_600_000;
const SWEEP = 6 * HOUR;
const now = new Date("2026-11-28T12:00:00Z");
const policy = { sweepIntervalMs: SWEEP, full: false };
const stored = (over: Partial<StoredReadState> = {}): StoredReadState => ({ maintenanceReadAt: new Date(now.getTime() - 60_000), pending: false, activeBooking: false, ...over });

describe("decideRead", () => {
  it.each([
    ["the list carried the VM's own instance view", true, stored(), "carried"],
    ["a VM seen for the first time", false, null, "read"],
    ["a VM never read (unknown)", false, stored({ maintenanceReadAt: null }), "read"],
    ["pending maintenance", false, stored({ pending: true }), "read"],
    ["an active booking", false, stored({ activeBooking: true }), "read"],
    ["nothing pending, read a minute ago", false, stored(), "skip"],
  ] as const)("%s → %s", (_, carried, state, expected) => {
    expect(decideRead("/subscriptions/s/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm-1", carried, state, now, policy)).toBe(expected);
  });

  it("reads everything on a full sweep", () => {
    expect(decideRead("k", false, stored(), now, { ...policy, full: true })).toBe("read");
  });

  it("reads a quiet VM once its slot of the sweep has come round since the last read, and never waits longer than a sweep", () => {
    const key = "vm-key";
    const phase = sweepPhaseMs(key, SWEEP);
    const slot = Math.ceil((now.getTime() - phase) / SWEEP) * SWEEP + phase; // the next slot at or after now
    const readAt = new Date(slot - 1);
    expect(sweepSlotPassed(readAt, new Date(slot - 1), phase, SWEEP)).toBe(false);
    expect(sweepSlotPassed(readAt, new Date(slot), phase, SWEEP)).toBe(true);
    // Whenever it was read, it is read again within one sweep.
    for (const ago of [0, 1, HOUR, 5 * HOUR]) {
      const at = new Date(now.getTime() - ago);
      expect(sweepSlotPassed(at, new Date(at.getTime() + SWEEP), phase, SWEEP)).toBe(true);
    }
  });

  it("spreads a fleet's slots evenly over the sweep, so each sync reads about the same share", () => {
    const buckets = new Array(36).fill(0); // 10-minute syncs over 6 h
    for (let i = 0; i < 36_000; i++) buckets[Math.floor(sweepPhaseMs(`/subscriptions/s/resourcegroups/rg-${i % 7}/providers/microsoft.compute/virtualmachines/vm-${i}`, SWEEP) / (SWEEP / 36))]++;
    expect(Math.min(...buckets)).toBeGreaterThan(800);
    expect(Math.max(...buckets)).toBeLessThan(1200);
  });
});
