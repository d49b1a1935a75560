import { describe, expect, it } from "vitest";
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
const vm = (over: Partial<BookableVm> = {}): BookableVm => ({ id: "vm-1", goneSince: null, maintenanceReadAt: t("2026-11-25T11:50:00Z"), maintenance: status(), ...over });

const check = (v: BookableVm | null, startAt: string) => errorOf(() => checkBookable(v, "vm-1", t(startAt), now, policy));

describe("checkBookable", () => {
  it("accepts a start inside the window with lead time and end margin, including both bounds", () => {
    expect(() => checkBookable(vm(), "vm-1", t("2026-11-26T00:00:00Z"), now, policy)).not.toThrow();
    expect(() => checkBookable(vm(), "vm-1", t("2026-11-25T12:05:00Z"), now, policy)).not.toThrow();
    expect(() => checkBookable(vm(), "vm-1", t("2026-12-19T23:30:00Z"), now, policy)).not.toThrow();
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
    expect(() => checkBookable(vm({ maintenance: later }), "vm-1", t("2026-11-30T00:00:00Z"), now, policy)).not.toThrow();
    expect(check(vm({ maintenance: later }), "2026-11-29T23:00:00Z").code).toBe("outside-self-service-window");
  });

  it("a window without an end has no latest start", () => {
    const open = status({ selfServiceWindow: { start: null, end: null }, scheduledWindow: { start: null, end: null } });
    expect(() => checkBookable(vm({ maintenance: open }), "vm-1", t("2027-06-01T00:00:00Z"), now, policy)).not.toThrow();
    expect(bookableRange(open.selfServiceWindow, now, policy)).toEqual({ earliest: t("2026-11-25T12:05:00Z"), latest: null });
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
