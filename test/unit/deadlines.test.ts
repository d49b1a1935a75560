import { describe, expect, it } from "vitest";
import { isUnbooked, parseDeadlineWarnings, selfServiceDeadline, warningsDue, type DeadlineWarning } from "../../src/domain/deadlines.js";
import { formatDuration } from "../../src/domain/duration.js";
import type { MaintenanceStatus } from "../../src/domain/maintenance.js";
import { maintenanceStatus } from "../helpers/maintenance.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const t = (iso: string) => new Date(iso);
const now = t("2026-11-25T12:00:00Z");
const WARNINGS = parseDeadlineWarnings("7d,2d,12h") as DeadlineWarning[];
const status = maintenanceStatus;

describe("parseDeadlineWarnings / formatDuration", () => {
  it("reads durations, widest first, and writes each length one way", () => {
    expect(WARNINGS.map((w) => w.label)).toEqual(["7d", "2d", "12h"]);
    expect(parseDeadlineWarnings("90m,48h,2d,3600s")?.map((w) => w.label)).toEqual(["2d", "90m", "1h"]);
    expect([formatDuration(500), formatDuration(90_000), formatDuration(DAY + HOUR)]).toEqual(["500ms", "90s", "25h"]);
  });
  it.each(["7d,x", "0s", "7 days"])("refuses %s", (bad) => expect(parseDeadlineWarnings(bad)).toBeNull());
});

describe("selfServiceDeadline / isUnbooked", () => {
  it("is the self-service window end while maintenance is pending and the window has not ended", () => {
    expect(selfServiceDeadline(status(), now)).toEqual(t("2026-12-20T00:00:00Z"));
    // An upcoming window counts too: it can be booked already.
    expect(selfServiceDeadline(status({ selfServiceWindow: { start: t("2026-12-01T00:00:00Z"), end: t("2026-12-20T00:00:00Z") } }), now)).not.toBeNull();
  });
  it.each<[string, MaintenanceStatus | null]>([
    ["no maintenance", null],
    ["completed", status({ lastOperationResultCode: "MaintenanceCompleted" })],
    ["self-service window over", status({ selfServiceWindow: { start: t("2026-11-01T00:00:00Z"), end: now } })],
    ["no end known", status({ selfServiceWindow: { start: null, end: null } })],
    ["everything over", status({ selfServiceWindow: { start: null, end: t("2026-11-01T00:00:00Z") }, scheduledWindow: { start: null, end: t("2026-11-02T00:00:00Z") } })],
  ])("has none when %s", (_case, s) => expect(selfServiceDeadline(s, now)).toBeNull());
  it("unbooked needs known maintenance and no active booking", () => {
    expect(isUnbooked({ status: status(), maintenanceKnown: true, activeBooking: false }, now)).toBe(true);
    expect(isUnbooked({ status: status(), maintenanceKnown: true, activeBooking: true }, now)).toBe(false);
    expect(isUnbooked({ status: status(), maintenanceKnown: false, activeBooking: false }, now)).toBe(false);
    expect(isUnbooked({ status: null, maintenanceKnown: true, activeBooking: false }, now)).toBe(false);
  });
});

describe("warningsDue", () => {
  const deadline = (msFromNow: number) => new Date(now.getTime() + msFromNow);
  it("nothing while the deadline is further than the widest warning", () => {
    expect(warningsDue(deadline(8 * DAY), now, WARNINGS, [])).toBeNull();
  });
  it("announces a threshold as the deadline comes within it (the boundary included)", () => {
    expect(warningsDue(deadline(7 * DAY), now, WARNINGS, [])).toEqual({ record: [WARNINGS[0]], announce: WARNINGS[0] });
  });
  it("announces only the tightest threshold crossed, but remembers every one crossed", () => {
    const due = warningsDue(deadline(DAY), now, WARNINGS, []);
    expect(due?.announce.label).toBe("2d");
    expect(due?.record.map((w) => w.label)).toEqual(["7d", "2d"]);
  });
  it("never repeats a threshold for the same deadline", () => {
    expect(warningsDue(deadline(DAY), now, WARNINGS, ["7d", "2d"])).toBeNull();
    expect(warningsDue(deadline(11 * HOUR), now, WARNINGS, ["7d", "2d"])).toEqual({ record: [WARNINGS[2]], announce: WARNINGS[2] });
  });
  it("nothing once the deadline has passed, or with no warnings configured", () => {
    expect(warningsDue(now, now, WARNINGS, [])).toBeNull();
    expect(warningsDue(deadline(HOUR), now, [], [])).toBeNull();
  });
});
