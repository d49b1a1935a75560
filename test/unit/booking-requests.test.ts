import { compileBlackout } from "../../src/domain/blackouts.js";
import { describe, expect, it } from "vitest";
import {
  bookingRequest, checkBatchItems, checkBookingRequest, parseBatchItems, requestIdentity, type BatchItem, type BookingTarget,
} from "../../src/domain/booking-requests.js";
import { scopeFrom } from "../../src/domain/access.js";
import type { MaintenanceStatus } from "../../src/domain/maintenance.js";
import { errorOf } from "../helpers/domain-error.js";

const t = (iso: string) => new Date(iso);
const now = t("2026-11-25T12:00:00Z");
const policy = { minLeadSeconds: 300, endMarginSeconds: 1800 };
const SUB = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";
const maintenance: MaintenanceStatus = {
  customerInitiatedMaintenanceAllowed: true,
  selfServiceWindow: { start: t("2026-11-20T00:00:00Z"), end: t("2026-12-20T00:00:00Z") },
  scheduledWindow: { start: t("2026-12-21T00:00:00Z"), end: t("2026-12-21T08:00:00Z") },
  lastOperationResultCode: "None",
  lastOperationMessage: null,
};
const target = (id: string, over: Partial<BookingTarget> = {}): BookingTarget => ({
  id, goneSince: null, maintenanceReadAt: now, maintenance, subscriptionId: SUB, resourceGroup: "rg-web", tags: {}, availabilitySet: null, scaleSetName: null, activeBooking: null, ...over,
});
const ok = "2026-11-26T00:00:00Z";

describe("bookingRequest", () => {
  it("lower-cases the VM id, reads startAt in UTC, takes an empty note as none; the identity ignores the offset sent", () => {
    const a = bookingRequest({ virtualMachineId: "ABC", startAt: "2026-11-26T01:00:00+01:00", note: "" });
    expect(a).toEqual({ virtualMachineId: "abc", startAt: t(ok), note: null });
    expect(requestIdentity(a)).toEqual(requestIdentity(bookingRequest({ virtualMachineId: "abc", startAt: ok })));
  });
});

describe("checkBookingRequest", () => {
  const check = (tgt: BookingTarget | null, startAt = ok, scope = scopeFrom([])) => errorOf(() => checkBookingRequest(tgt, bookingRequest({ virtualMachineId: "vm-1", startAt }), scope, now, policy, []));

  it("checks scope first, then the start-time rules, then the active booking", () => {
    const elsewhere = scopeFrom([{ subscriptionId: OTHER, resourceGroup: null }]);
    const active = { id: "b-1", state: "scheduled", startAt: t(ok) };
    expect(check(target("vm-1", { activeBooking: active }), "2027-01-01T00:00:00Z", elsewhere).code).toBe("forbidden");
    expect(check(target("vm-1", { activeBooking: active }), "2027-01-01T00:00:00Z").code).toBe("outside-self-service-window");
    expect(check(target("vm-1", { activeBooking: active }))).toMatchObject({ code: "active-booking-exists", extensions: { existingBookingId: "b-1" } });
    expect(check(null, ok, elsewhere).code).toBe("virtual-machine-unknown"); // an unknown id is not "elsewhere"
    expect(() => checkBookingRequest(target("vm-1"), bookingRequest({ virtualMachineId: "vm-1", startAt: ok }), scopeFrom([{ subscriptionId: SUB, resourceGroup: "RG-WEB" }]), now, policy, [])).not.toThrow();
  });
});

describe("batch items", () => {
  const targets = new Map(["vm-1", "vm-2", "vm-3"].map((id) => [id, target(id)]));
  const outcome = (items: BatchItem[]) => items.map((i) => ("error" in i ? i.error.code : "ok"));

  it("each item is decided on its own, in order; a VM named again is active-booking-exists, naming the earlier item", () => {
    const parsed = parseBatchItems([
      { virtualMachineId: "vm-1", startAt: ok },
      { virtualMachineId: "vm-2", startAt: "2026-11-26T00:00:00" },
      { virtualMachineId: "VM-1", startAt: "2026-11-27T00:00:00Z" },
      { virtualMachineId: "vm-9", startAt: ok },
      { virtualMachineId: "vm-2", startAt: ok }, // its earlier item failed: this one books it
      { virtualMachineId: "vm-3", startAt: "2026-11-25T12:01:00Z" },
    ]);
    expect(outcome(parsed)).toEqual(["ok", "invalid-start-at", "ok", "ok", "ok", "ok"]);
    const checked = checkBatchItems(parsed, targets, null, now, policy, []);
    expect(outcome(checked)).toEqual(["ok", "invalid-start-at", "active-booking-exists", "virtual-machine-unknown", "ok", "start-too-soon"]);
    expect(checked[2]).toMatchObject({ index: 2, sameVmAs: 0, request: { virtualMachineId: "vm-1" } });
    expect((checked[2] as { error: Error }).error.message).toContain("item 0 of this batch");
  });

  it("items outside the caller's scope are forbidden, the others pass", () => {
    const mixed = new Map([...targets, ["vm-4", target("vm-4", { subscriptionId: OTHER })]]);
    const parsed = parseBatchItems(["vm-1", "vm-4"].map((id) => ({ virtualMachineId: id, startAt: ok })));
    expect(outcome(checkBatchItems(parsed, mixed, scopeFrom([{ subscriptionId: SUB, resourceGroup: null }]), now, policy, []))).toEqual(["ok", "forbidden"]);
  });

  it("an item starting in a blackout is refused with `blackout`, as a single create would be", () => {
    const freeze = compileBlackout("freeze", { timeZone: "UTC", ranges: [{ start: "2026-11-25T23:00", end: "2026-11-26T01:00" }] });
    const parsed = parseBatchItems(["vm-1", "vm-2"].map((id, i) => ({ virtualMachineId: id, startAt: i ? "2026-11-26T02:00:00Z" : ok })));
    const checked = checkBatchItems(parsed, targets, null, now, policy, [freeze]);
    expect(outcome(checked)).toEqual(["blackout", "ok"]);
    expect((checked[0] as { error: { extensions: object } }).error.extensions).toMatchObject({ blackout: "freeze" });
  });
});
