// Blackouts, VM selectors, interval algebra and the availability questions the booking rules and the planner ask.
import { describe, expect, it } from "vitest";
import { allowedIntervals, availabilityBetween, firstAllowedStart, nextAllowedTime } from "../../src/domain/availability.js";
import { blackoutAt, blackoutIntervals, compileBlackout, type BlackoutDefinition } from "../../src/domain/blackouts.js";
import { errorOf } from "../helpers/domain-error.js";
import { clipIntervals, firstFit, intervalAt, mergeIntervals, subtractIntervals, type Interval } from "../../src/domain/intervals.js";
import { formatLocal } from "../../src/domain/local-time.js";
import { compileRecurrence } from "../../src/domain/recurrence.js";
import { checkSelector, matchesSelector, type SelectableVm } from "../../src/domain/vm-selector.js";

const at = (iso: string) => new Date(iso);
const iv = (start: string, end: string): Interval => ({ start: at(start), end: at(end) });
const show = (list: Interval[]) => list.map((i) => `${i.start.toISOString().slice(11, 16)}-${i.end.toISOString().slice(11, 16)}`);
const D = "2026-11-27T";
const vm = (over: Partial<SelectableVm> = {}): SelectableVm => ({
  subscriptionId: "11111111-1111-4111-8111-111111111111", resourceGroup: "rg-Web", tags: { Env: "prod", team: "payments" }, availabilitySet: "AVSET-WEB", scaleSetName: null, ...over,
});

describe("intervals", () => {
  it("merge joins overlapping and touching intervals and drops empty ones", () => {
    expect(show(mergeIntervals([iv(`${D}05:00Z`, `${D}06:00Z`), iv(`${D}01:00Z`, `${D}02:00Z`), iv(`${D}02:00Z`, `${D}03:00Z`), iv(`${D}02:30Z`, `${D}02:45Z`), iv(`${D}04:00Z`, `${D}04:00Z`)])))
      .toEqual(["01:00-03:00", "05:00-06:00"]);
  });

  it("subtract cuts holes, trims edges and removes covered intervals", () => {
    const from = [iv(`${D}01:00Z`, `${D}05:00Z`), iv(`${D}06:00Z`, `${D}07:00Z`), iv(`${D}08:00Z`, `${D}10:00Z`)];
    const remove = [iv(`${D}00:00Z`, `${D}01:30Z`), iv(`${D}02:00Z`, `${D}03:00Z`), iv(`${D}04:30Z`, `${D}07:30Z`), iv(`${D}09:00Z`, `${D}09:15Z`)];
    expect(show(subtractIntervals(from, remove))).toEqual(["01:30-02:00", "03:00-04:30", "08:00-09:00", "09:15-10:00"]);
  });

  it("intervalAt is start-inclusive and end-exclusive; firstFit finds room of a length starting by a limit; clip", () => {
    const list = [iv(`${D}01:00Z`, `${D}01:20Z`), iv(`${D}02:00Z`, `${D}03:00Z`)];
    expect(intervalAt(list, at(`${D}01:00Z`))).toEqual(list[0]);
    expect(intervalAt(list, at(`${D}01:20Z`))).toBeNull();
    expect(firstFit(list, at(`${D}01:10Z`), 30 * 60_000, at(`${D}12:00Z`))).toEqual(at(`${D}02:00Z`));
    expect(firstFit(list, at(`${D}02:40Z`), 20 * 60_000, at(`${D}12:00Z`))).toEqual(at(`${D}02:40Z`));
    expect(firstFit(list, at(`${D}02:41Z`), 20 * 60_000, at(`${D}12:00Z`))).toBeNull();
    expect(firstFit(list, at(`${D}00:00Z`), 30 * 60_000, at(`${D}02:00Z`))).toEqual(at(`${D}02:00Z`));
    expect(firstFit(list, at(`${D}00:00Z`), 30 * 60_000, at(`${D}01:59Z`))).toBeNull();
    expect(show(clipIntervals(list, at(`${D}01:10Z`), at(`${D}02:30Z`)))).toEqual(["01:10-01:20", "02:00-02:30"]);
  });
});

describe("VM selectors", () => {
  it.each([
    ["no selector", null, true],
    ["an empty selector", {}, true],
    ["ARM names in another case", { subscriptionId: "11111111-1111-4111-8111-111111111111".toUpperCase(), resourceGroup: "RG-WEB", availabilitySet: "avset-web" }, true],
    ["tag names in another case, values exact", { tags: { env: "prod", TEAM: "payments" } }, true],
    ["a tag value in another case", { tags: { Env: "Prod" } }, false],
    ["a tag the VM lacks", { tags: { tier: "gold" } }, false],
    ["another resource group", { resourceGroup: "rg-db" }, false],
    ["a scale set, for a VM in none", { scaleSet: "vmss-web" }, false],
  ])("%s", (_, selector, matches) => {
    expect(matchesSelector(selector, vm())).toBe(matches);
  });

  it("scale-set instances match by scale set name; tags naming one Azure tag twice are refused", () => {
    expect(matchesSelector({ scaleSet: "VMSS-web" }, vm({ scaleSetName: "vmss-web" }))).toBe(true);
    expect(errorOf(() => checkSelector({ tags: { Env: "a", env: "b" } })).code).toBe("invalid-selector");
    expect(checkSelector({ subscriptionId: "AAAAAAAA-1111-4111-8111-111111111111" }).subscriptionId).toBe("aaaaaaaa-1111-4111-8111-111111111111");
  });
});

const blackout = (name: string, def: Partial<BlackoutDefinition>) => compileBlackout(name, { timeZone: "Europe/Berlin", ...def });

describe("blackouts", () => {
  it("local ranges become instants; ranges and a recurrence together, merged", () => {
    const freeze = blackout("freeze", {
      ranges: [{ start: "2026-11-27T00:00", end: "2026-11-30T00:00" }],
      rrule: "FREQ=WEEKLY;BYDAY=MO", start: "08:00", duration: "4h",
    });
    expect(blackoutIntervals(freeze, at("2026-11-26T00:00:00Z"), at("2026-12-08T00:00:00Z")).map((i) => `${formatLocal(i.start, "Europe/Berlin")}/${formatLocal(i.end, "Europe/Berlin")}`)).toEqual([
      "2026-11-27T00:00:00+01:00/2026-11-30T00:00:00+01:00",
      "2026-11-30T08:00:00+01:00/2026-11-30T12:00:00+01:00",
      "2026-12-07T08:00:00+01:00/2026-12-07T12:00:00+01:00",
    ]);
  });

  it.each([
    ["neither ranges nor a rule", {}, "invalid-blackout", "/ranges"],
    ["a range that ends before it starts", { ranges: [{ start: "2026-11-27T10:00", end: "2026-11-27T09:00" }] }, "invalid-blackout", "/ranges/0/end"],
    ["a range with an offset", { ranges: [{ start: "2026-11-27T10:00+01:00", end: "2026-11-27T11:00" }] }, "validation-failed", "/ranges/0/start"],
    ["a range entirely inside the spring gap", { ranges: [{ start: "2026-03-29T02:10", end: "2026-03-29T02:50" }] }, "invalid-blackout", "/ranges/0"],
    ["a rule without duration", { rrule: "FREQ=DAILY", start: "01:00" }, "invalid-blackout", "/duration"],
    ["start without a rule", { ranges: [{ start: "2026-11-27T10:00", end: "2026-11-27T11:00" }], start: "01:00" }, "invalid-blackout", "/start"],
    ["a bad zone", { timeZone: "Berlin", ranges: [{ start: "2026-11-27T10:00", end: "2026-11-27T11:00" }] }, "invalid-time-zone", "/timeZone"],
  ])("refuses %s", (_, def, code, pointer) => {
    const error = errorOf(() => blackout("b", def as Partial<BlackoutDefinition>));
    expect(error.code).toBe(code);
    expect(error.extensions.pointer).toBe(pointer);
  });

  it("blackoutAt names the blackout and the next allowed time across adjacent and overlapping blackouts", () => {
    const list = [
      blackout("b-black-friday", { ranges: [{ start: "2026-11-27T00:00", end: "2026-11-28T00:00" }] }),
      blackout("a-weekend", { ranges: [{ start: "2026-11-28T00:00", end: "2026-11-30T00:00" }] }),
      blackout("c-monday-morning", { rrule: "FREQ=WEEKLY;BYDAY=MO", start: "00:00", duration: "6h", selector: { tags: { env: "prod" } } }),
      blackout("d-test-only", { ranges: [{ start: "2026-12-01T00:00", end: "2026-12-02T00:00" }], selector: { tags: { env: "test" } } }),
    ];
    expect(blackoutAt(list, vm(), at("2026-11-27T12:00:00Z"))).toEqual({ name: "b-black-friday", nextAllowedAt: at("2026-11-30T05:00:00Z") });
    expect(blackoutAt(list, vm({ tags: {} }), at("2026-11-27T12:00:00Z"))).toEqual({ name: "b-black-friday", nextAllowedAt: at("2026-11-29T23:00:00Z") });
    expect(blackoutAt(list, vm(), at("2026-11-30T05:00:00Z"))).toBeNull();
    expect(blackoutAt(list, vm(), at("2026-12-01T12:00:00Z"))).toBeNull();
  });

  it("blackoutAt follows a chain past a month and gives up after its horizon", () => {
    const long = [blackout("q4", { ranges: [{ start: "2026-10-01T00:00", end: "2026-12-20T00:00" }] }), blackout("holidays", { ranges: [{ start: "2026-12-20T00:00", end: "2027-01-07T00:00" }] })];
    expect(blackoutAt(long, vm(), at("2026-10-05T00:00:00Z"))).toEqual({ name: "q4", nextAllowedAt: at("2027-01-06T23:00:00Z") });
    expect(blackoutAt(long, vm(), at("2026-10-05T00:00:00Z"), 30)?.nextAllowedAt).toBeNull();
  });
});

describe("availability", () => {
  // Daily 01:00–05:00 Berlin (00:00–04:00 UTC in November), a blackout 02:00–03:00 local for prod, and Black Friday for all.
  const window = compileRecurrence({ timeZone: "Europe/Berlin", rrule: "FREQ=DAILY", start: "01:00", duration: "4h" });
  const blackouts = [
    blackout("backups", { rrule: "FREQ=DAILY", start: "02:00", duration: "1h", selector: { tags: { env: "prod" } } }),
    blackout("black-friday", { ranges: [{ start: "2026-11-27T00:00", end: "2026-11-28T00:00" }] }),
  ];
  const a = availabilityBetween(window, blackouts, at("2026-11-25T00:00:00Z"), at("2026-11-29T00:00:00Z"));
  const MIN = 60_000;

  it("allowed intervals are occurrences less the VM's blackouts", () => {
    expect(show(allowedIntervals(a, vm())).slice(0, 2)).toEqual(["00:00-01:00", "02:00-04:00"]);
    expect(show(allowedIntervals(a, vm({ tags: {} }))).slice(0, 1)).toEqual(["00:00-04:00"]);
  });

  it("firstAllowedStart: the earliest instant ≥ t inside an occurrence, outside blackouts, with the time needed left", () => {
    expect(firstAllowedStart(a, vm(), at("2026-11-25T00:10:00Z"), 30 * MIN)?.startAt).toEqual(at("2026-11-25T00:10:00Z"));
    expect(firstAllowedStart(a, vm(), at("2026-11-25T00:40:00Z"), 30 * MIN)?.startAt).toEqual(at("2026-11-25T02:00:00Z"));
    expect(firstAllowedStart(a, vm({ tags: {} }), at("2026-11-25T00:40:00Z"), 30 * MIN)?.startAt).toEqual(at("2026-11-25T00:40:00Z"));
    const afterWindow = firstAllowedStart(a, vm(), at("2026-11-25T03:45:00Z"), 30 * MIN);
    expect(afterWindow?.startAt).toEqual(at("2026-11-26T00:00:00Z"));
    expect(afterWindow?.occurrence).toEqual({ start: at("2026-11-26T00:00:00Z"), end: at("2026-11-26T04:00:00Z") });
    // Black Friday (26 Nov 23:00 – 27 Nov 23:00 UTC) swallows the 27th's occurrence.
    expect(firstAllowedStart(a, vm(), at("2026-11-26T04:00:00Z"), 30 * MIN)?.startAt).toEqual(at("2026-11-28T00:00:00Z"));
    expect(firstAllowedStart(a, vm(), at("2026-11-26T04:00:00Z"), 30 * MIN, at("2026-11-28T00:00:00Z"))?.startAt).toEqual(at("2026-11-28T00:00:00Z"));
    expect(firstAllowedStart(a, vm(), at("2026-11-26T04:00:00Z"), 30 * MIN, at("2026-11-27T23:59:00Z"))).toBeNull();
  });

  it("never offers time past `to`, where blackouts are unknown", () => {
    const short = availabilityBetween(window, blackouts, at("2026-11-25T00:00:00Z"), at("2026-11-25T01:00:00Z"));
    expect(show(allowedIntervals(short, vm({ tags: {} })))).toEqual(["00:00-01:00"]);
    expect(firstAllowedStart(short, vm({ tags: {} }), at("2026-11-25T00:30:00Z"), 30 * MIN)?.startAt).toEqual(at("2026-11-25T00:30:00Z"));
    expect(firstAllowedStart(short, vm({ tags: {} }), at("2026-11-25T00:31:00Z"), 30 * MIN)).toBeNull();
  });

  it("nextAllowedTime leaves the VM's blackouts; null when they last past the range", () => {
    expect(nextAllowedTime(a, vm(), at("2026-11-25T01:30:00Z"))).toEqual(at("2026-11-25T02:00:00Z"));
    expect(nextAllowedTime(a, vm(), at("2026-11-25T05:00:00Z"))).toEqual(at("2026-11-25T05:00:00Z"));
    expect(nextAllowedTime(availabilityBetween(null, blackouts, at("2026-11-27T00:00:00Z"), at("2026-11-27T12:00:00Z")), vm(), at("2026-11-27T06:00:00Z"))).toBeNull();
  });

  it("without a window any time outside blackouts is allowed", () => {
    const free = availabilityBetween(null, blackouts, at("2026-11-25T00:00:00Z"), at("2026-11-26T00:00:00Z"));
    expect(firstAllowedStart(free, vm(), at("2026-11-25T01:30:00Z"), 60 * MIN)).toEqual({ startAt: at("2026-11-25T02:00:00Z"), occurrence: null });
  });
});
