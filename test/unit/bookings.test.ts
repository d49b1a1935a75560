import { describe, expect, it } from "vitest";
import { bookingsToInvalidate } from "../../src/domain/blackout-invalidation.js";
import { compileBlackout, type Blackout } from "../../src/domain/blackouts.js";
import { bookableRange, checkBookable, type BookableVm } from "../../src/domain/bookings.js";
import { bookingEtag, ifMatchAllows } from "../../src/domain/bookings-etag.js";
import { recheckBooking } from "../../src/domain/bookings-recheck.js";
import { parseStartAt } from "../../src/domain/bookings-time.js";
import { errorOf } from "../helpers/domain-error.js";
import type { MaintenanceStatus } from "../../src/domain/maintenance.js";

const t = (iso: string) => new Date(iso);
const now = t("2026-11-25T12:00:00Z");
const policy = { minLeadSeconds: 300, endMarginSeconds: 1800 };
const status = (over: Partial<MaintenanceStatus> = {}): MaintenanceStatus => ({
  customerInitiatedMaintenanceAllowed: true,
  selfServiceWindow: { start: t("2026-11-20T00:00:00Z"), end: t("2026-12-20T00:00:00Z") },
  scheduledWindow: { start: t("2026-12-21T00:00:00Z"), end: t("2026-12-21T08:00:00Z") },
  lastOperationResultCode: "None",
  lastOperationMessage: null,
  ...over,
});
const vm = (over: Partial<BookableVm> = {}): BookableVm => ({
  id: "vm-1", goneSince: null, maintenanceReadAt: t("2026-11-25T11:50:00Z"), maintenance: status(),
  subscriptionId: "11111111-1111-4111-8111-111111111111", resourceGroup: "rg-web", tags: { role: "web" }, availabilitySet: null, scaleSetName: null, ...over,
});

const check = (v: BookableVm | null, startAt: string, blackouts: Blackout[] = []) => errorOf(() => checkBookable(v, "vm-1", t(startAt), now, policy, blackouts));
const bookable = (v: BookableVm, startAt: string, blackouts: Blackout[] = []) => checkBookable(v, "vm-1", t(startAt), now, policy, blackouts);

describe("checkBookable", () => {
  it("accepts a start inside the window with lead time and end margin, including both bounds", () => {
    expect(() => bookable(vm(), "2026-11-26T00:00:00Z")).not.toThrow();
    expect(() => bookable(vm(), "2026-11-25T12:05:00Z")).not.toThrow();
    expect(() => bookable(vm(), "2026-12-19T23:30:00Z")).not.toThrow();
  });

  it("gives each rule its own code", () => {
    expect(check(null, "2026-11-26T00:00:00Z").code).toBe("virtual-machine-unknown");
    expect(check(vm({ goneSince: t("2026-11-24T00:00:00Z") }), "2026-11-26T00:00:00Z").code).toBe("virtual-machine-gone");
    expect(check(vm({ maintenanceReadAt: null, maintenance: null }), "2026-11-26T00:00:00Z").code).toBe("maintenance-unknown");
    expect(check(vm({ maintenance: null }), "2026-11-26T00:00:00Z").code).toBe("no-pending-maintenance");
    expect(check(vm({ maintenance: status({ lastOperationResultCode: "MaintenanceCompleted" }) }), "2026-11-26T00:00:00Z").code).toBe("no-pending-maintenance");
    expect(check(vm({ maintenance: status({ customerInitiatedMaintenanceAllowed: false }) }), "2026-11-26T00:00:00Z").code).toBe("self-service-not-allowed");
    expect(check(vm({ maintenance: status({ customerInitiatedMaintenanceAllowed: null }) }), "2026-11-26T00:00:00Z").code).toBe("self-service-not-allowed");
    expect(check(vm(), "2026-12-20T00:00:00Z").code).toBe("outside-self-service-window");
    expect(check(vm(), "2026-11-19T23:59:59Z").code).toBe("outside-self-service-window");
    expect(check(vm(), "2026-11-25T12:04:59.999Z").code).toBe("start-too-soon");
    expect(check(vm(), "2026-11-25T11:00:00Z").code).toBe("start-too-soon");
    expect(check(vm(), "2026-12-19T23:30:00.001Z").code).toBe("too-close-to-window-end");
  });

  it("tells the caller the bounds it would accept", () => {
    const e = check(vm(), "2026-12-19T23:45:00Z");
    expect(e.extensions).toEqual({
      selfServiceWindow: { start: "2026-11-20T00:00:00.000Z", end: "2026-12-20T00:00:00.000Z" },
      earliestStartAt: "2026-11-25T12:05:00.000Z",
      latestStartAt: "2026-12-19T23:30:00.000Z",
    });
    expect(e.message).toContain("between 2026-11-25T12:05:00.000Z and 2026-12-19T23:30:00.000Z");
  });

  it("books a window that opens later although Azure does not allow self-service yet", () => {
    const later = status({ customerInitiatedMaintenanceAllowed: false, selfServiceWindow: { start: t("2026-11-30T00:00:00Z"), end: t("2027-01-04T00:00:00Z") } });
    expect(() => bookable(vm({ maintenance: later }), "2026-11-30T00:00:00Z")).not.toThrow();
    expect(check(vm({ maintenance: later }), "2026-11-29T23:00:00Z").code).toBe("outside-self-service-window");
  });

  it("a window without an end has no latest start", () => {
    const open = status({ selfServiceWindow: { start: null, end: null }, scheduledWindow: { start: null, end: null } });
    expect(() => bookable(vm({ maintenance: open }), "2027-06-01T00:00:00Z")).not.toThrow();
    expect(bookableRange(open.selfServiceWindow, now, policy)).toEqual({ earliest: t("2026-11-25T12:05:00Z"), latest: null });
  });
});

describe("checkBookable and blackouts", () => {
  // Europe/Berlin; the freeze runs 2026-12-01 00:00–12:00 local (+01:00), the nightly backup 12:00–13:00 follows it.
  const freeze = compileBlackout("freeze", { timeZone: "Europe/Berlin", ranges: [{ start: "2026-12-01T00:00", end: "2026-12-01T12:00" }] });
  const backup = compileBlackout("backup", { timeZone: "Europe/Berlin", rrule: "FREQ=DAILY", start: "12:00", duration: "1h" });
  const dbOnly = compileBlackout("db-freeze", { timeZone: "UTC", ranges: [{ start: "2026-11-26T00:00", end: "2026-11-27T00:00" }], selector: { tags: { role: "db" } } });
  const late = compileBlackout("year-end", { timeZone: "UTC", ranges: [{ start: "2026-12-19T00:00", end: "2027-01-10T00:00" }] });

  it("refuses a start in a blackout that applies to the VM with 409 `blackout`, naming it and the next allowed time across adjacent ones", () => {
    const e = check(vm(), "2026-12-01T05:00:00Z", [backup, freeze]);
    expect(e.code).toBe("blackout");
    expect(e.extensions).toEqual({
      blackout: "freeze", nextAllowedAt: "2026-12-01T12:00:00.000Z",
      selfServiceWindow: { start: "2026-11-20T00:00:00.000Z", end: "2026-12-20T00:00:00.000Z" }, earliestStartAt: "2026-11-25T12:05:00.000Z", latestStartAt: "2026-12-19T23:30:00.000Z",
    });
    expect(e.message).toContain('blackout "freeze"');
    expect(e.message).toContain("from 2026-12-01T12:00:00.000Z");
  });

  it("a start is judged by its instant: the end of a blackout is allowed, a blackout whose selector does not pick the VM does not count", () => {
    expect(() => bookable(vm(), "2026-11-30T22:59:59Z", [freeze])).not.toThrow();
    expect(check(vm(), "2026-11-30T23:00:00Z", [freeze]).code).toBe("blackout");
    expect(() => bookable(vm(), "2026-12-01T11:00:00Z", [freeze])).not.toThrow();
    expect(() => bookable(vm(), "2026-11-26T06:00:00Z", [dbOnly])).not.toThrow();
    expect(check(vm({ tags: { ROLE: "db" } }), "2026-11-26T06:00:00Z", [dbOnly]).extensions.blackout).toBe("db-freeze");
  });

  it("comes after the other rules, so a refusal's bounds describe times they accept", () => {
    expect(check(vm(), "2026-12-20T06:00:00Z", [late]).code).toBe("outside-self-service-window");
    expect(check(vm(), "2026-11-25T12:01:00Z", [compileBlackout("now", { timeZone: "UTC", ranges: [{ start: "2026-11-25T00:00", end: "2026-11-26T00:00" }] })]).code).toBe("start-too-soon");
  });

  it("says when no later time in the window is free of blackouts", () => {
    const e = check(vm(), "2026-12-19T06:00:00Z", [late]);
    expect(e.extensions.nextAllowedAt).toBe("2027-01-10T00:00:00.000Z");
    expect(e.message).toContain("after the latest acceptable startAt 2026-12-19T23:30:00.000Z");
  });
});

describe("bookingsToInvalidate", () => {
  const freeze = compileBlackout("freeze", { timeZone: "Europe/Berlin", ranges: [{ start: "2026-12-01T00:00", end: "2026-12-01T12:00" }], selector: { resourceGroup: "RG-WEB" } });
  const backup = compileBlackout("backup", { timeZone: "Europe/Berlin", rrule: "FREQ=DAILY", start: "12:00", duration: "1h" });
  const booking = (id: string, startAt: string, over: Partial<BookableVm> = {}) => ({ id, startAt: t(startAt), vm: vm(over) });

  it("picks the bookings whose start it covers on VMs its selector picks, naming it and the next allowed time", () => {
    const bookings = [
      booking("in", "2026-12-01T05:00:00Z"), booking("before", "2026-11-30T22:59:59Z"), booking("end", "2026-12-01T11:00:00Z"),
      booking("other-rg", "2026-12-01T05:00:00Z", { resourceGroup: "rg-db" }), booking("first-instant", "2026-11-30T23:00:00Z"),
    ];
    const decided = bookingsToInvalidate(freeze, [backup], bookings);
    expect(decided.map((d) => d.booking.id)).toEqual(["in", "first-instant"]);
    expect(decided[0].reason).toBe('Blackout "freeze" covers startAt 2026-12-01T05:00:00.000Z for this virtual machine; book again outside it (maintenance may start again from 2026-12-01T12:00:00.000Z).');
  });

  it("judges by the blackout as given even when the list holds its older definition", () => {
    const older = compileBlackout("freeze", { timeZone: "UTC", ranges: [{ start: "2026-12-01T00:00", end: "2026-12-03T00:00" }] });
    const decided = bookingsToInvalidate(freeze, [older], [booking("in", "2026-12-01T05:00:00Z")]);
    expect(decided[0].reason).toContain("from 2026-12-01T11:00:00.000Z");
    expect(bookingsToInvalidate(freeze, [], [])).toEqual([]);
  });
});

describe("parseStartAt", () => {
  it("accepts any RFC 3339 offset and returns the UTC instant", () => {
    expect(parseStartAt("2026-11-27T17:00:00Z").toISOString()).toBe("2026-11-27T17:00:00.000Z");
    expect(parseStartAt("2026-11-27T10:00:00-07:00").toISOString()).toBe("2026-11-27T17:00:00.000Z");
    expect(parseStartAt("2026-11-27T22:30:00+05:30").toISOString()).toBe("2026-11-27T17:00:00.000Z");
    expect(parseStartAt("2026-11-27t17:00:00z").toISOString()).toBe("2026-11-27T17:00:00.000Z");
    expect(parseStartAt("2026-11-27T17:00:00.1234567+00:00").toISOString()).toBe("2026-11-27T17:00:00.123Z");
    expect(parseStartAt("2028-02-29T00:00:00Z").toISOString()).toBe("2028-02-29T00:00:00.000Z");
  });

  it("refuses a time without offset and anything that is not a real date-time", () => {
    for (const bad of ["2026-11-27T17:00:00", "2026-11-27T17:00", "2026-11-27", "tomorrow", "", "2027-02-29T00:00:00Z", "2026-11-27T24:00:00Z", "2026-11-27T17:00:60Z", "2026-13-01T00:00:00Z", "2026-11-27T17:00:00+24:00", "2026-11-27T17:00:00+0100"]) {
      expect(errorOf(() => parseStartAt(bad)).code, bad).toBe("invalid-start-at");
    }
    expect(errorOf(() => parseStartAt("2026-11-27T17:00:00")).message).toContain("no UTC offset");
  });
});

describe("recheckBooking", () => {
  const startAt = t("2026-12-01T00:00:00Z");
  it("keeps a booking still inside its window", () => {
    expect(recheckBooking(startAt, vm())).toBeNull();
    expect(recheckBooking(startAt, vm({ maintenance: status({ customerInitiatedMaintenanceAllowed: false }) }))).toBeNull();
  });
  it("invalidates when the window moved away, naming the new window", () => {
    const moved = status({ selfServiceWindow: { start: t("2026-12-05T00:00:00Z"), end: t("2027-01-05T00:00:00Z") } });
    const d = recheckBooking(startAt, vm({ maintenance: moved }));
    expect(d?.state).toBe("invalidated");
    expect(d?.reason).toContain("2026-12-05T00:00:00.000Z – 2027-01-05T00:00:00.000Z");
  });
  it("ends not-needed when the VM is gone, maintenance is cleared or completed", () => {
    expect(recheckBooking(startAt, vm({ goneSince: now }))?.state).toBe("not-needed");
    expect(recheckBooking(startAt, vm({ maintenance: null }))?.state).toBe("not-needed");
    expect(recheckBooking(startAt, vm({ maintenance: status({ lastOperationResultCode: "MaintenanceCompleted" }) }))?.state).toBe("not-needed");
  });
  it("never ends a booking on a status that was not read: unknown is not none", () => {
    expect(recheckBooking(startAt, vm({ maintenanceReadAt: null, maintenance: null }))).toBeNull();
    expect(recheckBooking(startAt, vm({ maintenanceReadAt: null, goneSince: now }))?.state).toBe("not-needed");
  });
});

describe("ETags", () => {
  it("are strong and follow the version", () => {
    expect(bookingEtag(3)).toBe('"3"');
    expect(ifMatchAllows('"3"', 3)).toBe(true);
    expect(ifMatchAllows('"2", "3"', 3)).toBe(true);
    expect(ifMatchAllows("*", 3)).toBe(true);
    expect(ifMatchAllows('"2"', 3)).toBe(false);
    expect(ifMatchAllows('W/"3"', 3)).toBe(false);
  });
});
