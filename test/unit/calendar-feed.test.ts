import { describe, expect, it } from "vitest";
import { feedEvents, feedLinks, type FeedBooking, type FeedVm } from "../../src/domain/calendar-feed.js";
import { maintenanceStatus } from "../helpers/maintenance.js";

const t = (iso: string) => new Date(iso);
const now = t("2026-11-25T12:00:00Z");
const relative = feedLinks(null);
const booking = (over: Partial<FeedBooking> = {}): FeedBooking => ({
  id: "b1", startAt: t("2026-12-01T10:00:00Z"), state: "scheduled", stateReason: null, note: null, createdBy: "alice@contoso.com",
  updatedAt: t("2026-11-25T09:00:00Z"), finishedAt: null, vm: { id: "v1", name: "web-01", resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web-01" },
  ...over,
});
const vm = (over: Partial<FeedVm> = {}): FeedVm => ({
  id: "v1", name: "web-01", resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web-01",
  maintenanceReadAt: t("2026-11-25T11:00:00Z"), status: maintenanceStatus(), changedAt: t("2026-11-20T00:00:00Z"), latestBooking: null, ...over,
});

describe("feedEvents: bookings", () => {
  it("one event at the booked time, 30 minutes long until it ran, with stable UID, state and links", () => {
    const [e] = feedEvents([booking({ note: "after release" })], [], now, relative);
    expect(e).toMatchObject({
      uid: "booking-b1@maintenance-planner", start: t("2026-12-01T10:00:00Z"), end: t("2026-12-01T10:30:00Z"), stamp: t("2026-11-25T09:00:00Z"),
      summary: "Maintenance of web-01: scheduled", url: null, status: "CONFIRMED", transparent: false,
    });
    expect(e.description.split("\n")).toEqual([
      "Maintenance of VM web-01 (/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web-01), booked for 2026-12-01T10:00Z by alice@contoso.com.",
      "State: scheduled",
      "Note: after release",
      "Booking: /v1/bookings/b1",
      "VM: /v1/virtual-machines/v1",
    ]);
  });
  it("a booking that ran lasts until it finished; one that did not happen is cancelled and keeps its nominal length", () => {
    const [ran] = feedEvents([booking({ state: "completed", finishedAt: t("2026-12-01T10:42:00Z") })], [], now, relative);
    expect(ran.end).toEqual(t("2026-12-01T10:42:00Z"));
    for (const state of ["cancelled", "missed", "invalidated", "not-needed"] as const) {
      const [e] = feedEvents([booking({ state, stateReason: "why", finishedAt: t("2026-11-26T00:00:00Z") })], [], now, relative);
      expect([e.status, e.end, e.summary, e.description.split("\n")[1]]).toEqual(["CANCELLED", t("2026-12-01T10:30:00Z"), `Maintenance of web-01: ${state}`, "State: " + state + " — why"]);
    }
  });
  it("links are absolute, and the event has a URL, under a public base URL", () => {
    const [e] = feedEvents([booking()], [], now, feedLinks("https://planner.contoso.com"));
    expect(e.url).toBe("https://planner.contoso.com/v1/bookings/b1");
    expect(feedLinks("https://planner.contoso.com").feed("tok")).toBe("https://planner.contoso.com/calendar/tok.ics");
  });
});

describe("feedEvents: windows", () => {
  it("a transparent event per self-service and scheduled window, saying whether the VM is booked", () => {
    const events = feedEvents([], [vm()], now, relative);
    expect(events.map((e) => [e.uid, e.start, e.end, e.summary, e.transparent])).toEqual([
      ["self-service-window-v1@maintenance-planner", t("2026-11-20T00:00:00Z"), t("2026-12-20T00:00:00Z"), "Self-service window of web-01: unbooked", true],
      ["scheduled-window-v1@maintenance-planner", t("2026-12-21T00:00:00Z"), t("2026-12-22T00:00:00Z"), "Scheduled window of web-01: unbooked", true],
    ]);
    const booked = feedEvents([], [vm({ latestBooking: { id: "b1", state: "scheduled", startAt: t("2026-12-01T10:00:00Z"), updatedAt: t("2026-11-25T09:00:00Z") } })], now, relative);
    expect(booked[0].summary).toBe("Self-service window of web-01: booked for 2026-12-01T10:00Z");
    expect(booked[0].description).toContain("Booking: /v1/bookings/b1");
    expect(booked[0].stamp).toEqual(t("2026-11-25T09:00:00Z")); // the booking changed after the window did
  });
  it("after the self-service window has ended the VM is no longer bookable", () => {
    const late = vm({ status: maintenanceStatus({ selfServiceWindow: { start: t("2026-11-01T00:00:00Z"), end: t("2026-11-24T00:00:00Z") } }) });
    expect(feedEvents([], [late], now, relative).map((e) => e.summary)).toEqual(["Self-service window of web-01: not bookable", "Scheduled window of web-01: not bookable"]);
  });
  it("a window without both ends is no event", () => {
    const open = vm({ status: maintenanceStatus({ scheduledWindow: { start: null, end: null }, selfServiceWindow: { start: null, end: t("2026-12-20T00:00:00Z") } }) });
    expect(feedEvents([], [open], now, relative)).toEqual([]);
  });
});
