import { describe, expect, it } from "vitest";
import { planAutoBookings, type AutoBookCandidate, type AutoBookGroup, type AutoBookInput, type PlannedBooking } from "../../src/domain/auto-booking.js";
import { compileBlackout } from "../../src/domain/blackouts.js";
import { parseGroupPolicy, type GroupPolicyInput } from "../../src/domain/planner-policy.js";
import { compileRecurrence, occurrenceAt } from "../../src/domain/recurrence.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// 2026-12-01 00:00 in Asia/Kolkata is 2026-11-30T18:30Z.
const now = new Date("2026-11-30T12:00:00Z");
const at = (ms: number) => new Date(now.getTime() + ms);
/** Daily 02:00–05:00 Asia/Kolkata = 20:30–23:30 UTC the day before. */
const kolkata = compileRecurrence({ timeZone: "Asia/Kolkata", rrule: "FREQ=DAILY", start: "02:00", duration: "3h" });
const firstOccurrence = new Date("2026-11-30T20:30:00Z");

const settings = { policy: { minLeadSeconds: 300, endMarginSeconds: 3_600 }, updateDomainGapMs: 30 * MIN, operationDurationMs: 15 * MIN };

const group = (name: string, policy: GroupPolicyInput = {}, members = 10, window = kolkata): AutoBookGroup => ({
  name, policy: parseGroupPolicy({ autoBook: true, maintenanceWindow: "kolkata-night", ...policy }, name), members, window,
});

let n = 0;
function candidate(over: { placement?: string | null; updateDomain?: number | null; groups?: string[]; windowEnd?: Date; tags?: Record<string, string> } = {}): AutoBookCandidate {
  const id = `00000000-0000-0000-0000-${String(++n).padStart(12, "0")}`;
  return {
    vm: {
      id, goneSince: null, maintenanceReadAt: now, subscriptionId: "sub", resourceGroup: "rg", tags: over.tags ?? {}, availabilitySet: over.placement ?? null, scaleSetName: null,
      maintenance: {
        customerInitiatedMaintenanceAllowed: true, selfServiceWindow: { start: at(-DAY), end: over.windowEnd ?? at(14 * DAY) },
        scheduledWindow: { start: at(20 * DAY), end: at(20 * DAY + 8 * HOUR) }, lastOperationResultCode: "None", lastOperationMessage: null,
      },
    },
    cancelledFor: [],
    placement: over.placement ?? null,
    updateDomain: over.updateDomain ?? null,
    groups: over.groups ?? ["team"],
  };
}

const input = (over: Partial<AutoBookInput>): AutoBookInput => ({ now, settings, groups: [group("team")], candidates: [], planned: [], blackouts: [], ...over });
const startsOf = (plan: ReturnType<typeof planAutoBookings>) => new Map(plan.bookings.map((b) => [b.virtualMachineId, b.startAt.toISOString()]));

describe("auto-booking: the earliest start inside an occurrence of the window", () => {
  it("books at the first occurrence (Asia/Kolkata, +05:30), inside it with the operation estimate", () => {
    const c = candidate();
    const plan = planAutoBookings(input({ candidates: [c] }));
    expect(plan.unplannable).toEqual([]);
    expect(plan.bookings).toEqual([{ virtualMachineId: c.vm.id, startAt: firstOccurrence, group: "team", selfServiceWindow: c.vm.maintenance!.selfServiceWindow }]);
    expect(occurrenceAt(kolkata, plan.bookings[0].startAt)).not.toBeNull();
  });

  it("keeps the lead time: inside an open occurrence, not before now + BOOKING_MIN_LEAD", () => {
    const inside = new Date(firstOccurrence.getTime() + HOUR);
    const plan = planAutoBookings(input({ now: inside, candidates: [candidate()] }));
    expect(plan.bookings[0].startAt).toEqual(new Date(inside.getTime() + 300_000));
  });

  it("books any time of the self-service window when the group names no window", () => {
    const plan = planAutoBookings(input({ groups: [{ ...group("team"), policy: parseGroupPolicy({ autoBook: true }, "team"), window: null }], candidates: [candidate()] }));
    expect(plan.bookings[0].startAt).toEqual(at(300_000));
  });

  it("skips an occurrence a blackout covers, only for the VMs its selector picks, and leaves room for the operation", () => {
    // Covers 02:00–04:50 local on the first night: 10 minutes are left, less than the 15-minute estimate.
    const freeze = compileBlackout("freeze", { timeZone: "Asia/Kolkata", ranges: [{ start: "2026-12-01T02:00", end: "2026-12-01T04:50" }], selector: { tags: { app: "shop" } } });
    const shop = candidate({ tags: { app: "shop" } });
    const other = candidate();
    const starts = startsOf(planAutoBookings(input({ candidates: [shop, other], blackouts: [freeze] })));
    expect(starts.get(shop.vm.id)).toBe(new Date(firstOccurrence.getTime() + DAY).toISOString());
    expect(starts.get(other.vm.id)).toBe(firstOccurrence.toISOString());
  });
});

describe("auto-booking: the group's limits, counting bookings already planned", () => {
  it("never puts two update domains of one availability set in one slot, and keeps the gap between them", () => {
    const vms = [0, 0, 1, 1, 2].map((ud) => candidate({ placement: "as-1", updateDomain: ud }));
    const plan = planAutoBookings(input({ candidates: vms }));
    const start = (i: number) => plan.bookings.find((b) => b.virtualMachineId === vms[i].vm.id)!.startAt.getTime();
    expect(start(0)).toBe(firstOccurrence.getTime());
    expect(start(1)).toBe(start(0));
    expect(start(2)).toBe(start(0) + 15 * MIN + 30 * MIN);
    expect(start(3)).toBe(start(2));
    expect(start(4)).toBe(start(2) + 45 * MIN);
  });

  it("counts bookings already planned in the availability set, and a group's own longer gap", () => {
    const planned: PlannedBooking = { virtualMachineId: "x", start: firstOccurrence, end: new Date(firstOccurrence.getTime() + 15 * MIN), placement: "as-1", updateDomain: 0, groups: [] };
    const c = candidate({ placement: "as-1", updateDomain: 1 });
    const plan = planAutoBookings(input({ groups: [group("team", { updateDomainGap: "1h" })], candidates: [c], planned: [planned] }));
    expect(plan.bookings[0].startAt.getTime()).toBe(firstOccurrence.getTime() + 15 * MIN + HOUR);
  });

  it("keeps maxConcurrent, with the bookings other groups already planned for shared members", () => {
    const planned: PlannedBooking = { virtualMachineId: "x", start: firstOccurrence, end: new Date(firstOccurrence.getTime() + 15 * MIN), placement: null, updateDomain: null, groups: ["team"] };
    const vms = [candidate(), candidate(), candidate()];
    const plan = planAutoBookings(input({ groups: [group("team", { maxConcurrent: 2 })], candidates: vms, planned: [planned] }));
    const starts = plan.bookings.map((b) => b.startAt.getTime() - firstOccurrence.getTime()).sort((a, b) => a - b);
    expect(starts).toEqual([0, 15 * MIN, 15 * MIN]);
  });

  it("books a VM in two autoBook groups by the first in name order, under the limits of both", () => {
    const vms = [candidate({ groups: ["alpha", "beta"] }), candidate({ groups: ["beta"] })];
    const groups = [group("beta", { maxConcurrent: 1 }), group("alpha")];
    const plan = planAutoBookings(input({ groups, candidates: vms }));
    expect(plan.bookings.map((b) => [b.virtualMachineId, b.group, b.startAt.getTime() - firstOccurrence.getTime()])).toEqual([
      [vms[0].vm.id, "alpha", 0],
      [vms[1].vm.id, "beta", 15 * MIN],
    ]);
  });
});

describe("auto-booking: when no slot exists before the deadline", () => {
  it("lists a VM whose self-service window closes before the next occurrence as unplannable, with its deadline", () => {
    const c = candidate({ windowEnd: new Date(firstOccurrence.getTime() + 30 * MIN) }); // latest start 1 h before the end: before the occurrence
    const plan = planAutoBookings(input({ candidates: [c] }));
    expect(plan.bookings).toEqual([]);
    expect(plan.unplannable).toEqual([{ virtualMachineId: c.vm.id, groups: ["team"], deadline: c.vm.maintenance!.selfServiceWindow.end, reason: expect.stringContaining("No occurrence of maintenance window kolkata-night") }]);
  });

  it("says so when the limits, not the calendars, leave no slot", () => {
    const end = new Date(firstOccurrence.getTime() + 2 * HOUR); // latest start: 1 h into the only reachable occurrence
    const vms = Array.from({ length: 6 }, () => candidate({ windowEnd: end }));
    const plan = planAutoBookings(input({ groups: [group("team", { maxConcurrent: 1 })], candidates: vms }));
    expect(plan.bookings).toHaveLength(5); // at 0, 15, 30, 45, 60 min
    expect(plan.unplannable).toEqual([expect.objectContaining({ reason: expect.stringContaining("keeps the limits of maintenance groups team") })]);
  });

  it("lists the members of a group whose window was deleted", () => {
    const plan = planAutoBookings(input({ groups: [{ ...group("team"), window: null }], candidates: [candidate()] }));
    expect(plan.unplannable[0].reason).toContain("kolkata-night, which no longer exists");
  });

  it("does not book again a VM whose auto booking was cancelled for the same self-service window, but does for a moved one", () => {
    const cancelled = candidate();
    cancelled.cancelledFor = [{ ...cancelled.vm.maintenance!.selfServiceWindow }];
    const moved = candidate();
    moved.cancelledFor = [{ start: at(-2 * DAY), end: at(3 * DAY) }];
    const plan = planAutoBookings(input({ candidates: [cancelled, moved] }));
    expect(plan.bookings.map((b) => b.virtualMachineId)).toEqual([moved.vm.id]);
    expect(plan.unplannable).toEqual([]);
  });

  it("books nothing for a VM whose maintenance Azure does not let customers start", () => {
    const c = candidate();
    c.vm.maintenance!.customerInitiatedMaintenanceAllowed = false;
    expect(planAutoBookings(input({ candidates: [c] }))).toEqual({ bookings: [], unplannable: [] });
  });
});
