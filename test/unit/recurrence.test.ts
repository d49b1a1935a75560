// The recurrence engine against real time-zone rules: local wall-clock kept across daylight-saving changes, gaps
// and folds, half-hour zones and half-hour shifts, windows across midnight, offsets across month ends.
import { afterEach, describe, expect, it } from "vitest";
import { errorOf } from "../helpers/domain-error.js";
import { formatLocal } from "../../src/domain/local-time.js";
import {
  compileRecurrence, nextOccurrence, occurrenceAt, occurrencesBetween, type RecurrenceDefinition,
} from "../../src/domain/recurrence.js";

const recurrence = (over: Partial<RecurrenceDefinition> = {}) =>
  compileRecurrence({ timeZone: "Europe/Berlin", rrule: "FREQ=DAILY", start: "02:00", duration: "3h", ...over });
/** Occurrences overlapping [from, to) as [localStart, localEnd, start (UTC), end (UTC)]. */
function between(over: Partial<RecurrenceDefinition>, from: string, to: string): string[][] {
  const rec = recurrence(over);
  return occurrencesBetween(rec, new Date(from), new Date(to)).map((o) => [formatLocal(o.start, rec.timeZone), formatLocal(o.end, rec.timeZone), o.start.toISOString(), o.end.toISOString()]);
}
const local = (over: Partial<RecurrenceDefinition>, from: string, to: string) => between(over, from, to).map(([start, end]) => `${start}/${end}`);
const localStart = (o: { start: Date } | null) => o && formatLocal(o.start, "Asia/Kolkata");

describe("Europe/Berlin", () => {
  it("spring forward: a start inside the gap begins at the first instant after it; the end keeps its wall-clock time", () => {
    expect(between({ start: "02:30", duration: "1h" }, "2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z")).toEqual([
      ["2026-03-28T02:30:00+01:00", "2026-03-28T03:30:00+01:00", "2026-03-28T01:30:00.000Z", "2026-03-28T02:30:00.000Z"],
      ["2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00", "2026-03-29T01:00:00.000Z", "2026-03-29T01:30:00.000Z"],
      ["2026-03-30T02:30:00+02:00", "2026-03-30T03:30:00+02:00", "2026-03-30T00:30:00.000Z", "2026-03-30T01:30:00.000Z"],
    ]);
  });

  it("spring forward: Tuesdays and Thursdays 02:00–05:00 keep 02:00 local on both sides of the change", () => {
    expect(between({ rrule: "FREQ=WEEKLY;BYDAY=TU,TH" }, "2026-03-24T00:00:00Z", "2026-04-01T00:00:00Z")).toEqual([
      ["2026-03-24T02:00:00+01:00", "2026-03-24T05:00:00+01:00", "2026-03-24T01:00:00.000Z", "2026-03-24T04:00:00.000Z"],
      ["2026-03-26T02:00:00+01:00", "2026-03-26T05:00:00+01:00", "2026-03-26T01:00:00.000Z", "2026-03-26T04:00:00.000Z"],
      ["2026-03-31T02:00:00+02:00", "2026-03-31T05:00:00+02:00", "2026-03-31T00:00:00.000Z", "2026-03-31T03:00:00.000Z"],
    ]);
  });

  it("spring forward: a window on the night itself that starts in the gap is shorter by the gap (Sunday 02:00 + 3h)", () => {
    expect(between({ rrule: "FREQ=WEEKLY;BYDAY=SU" }, "2026-03-29T00:00:00Z", "2026-03-30T00:00:00Z")).toEqual([
      ["2026-03-29T03:00:00+02:00", "2026-03-29T05:00:00+02:00", "2026-03-29T01:00:00.000Z", "2026-03-29T03:00:00.000Z"],
    ]);
  });

  it("fall back: a start that happens twice is the first; a window over the fold lasts an hour longer", () => {
    expect(between({ start: "02:30", duration: "1h" }, "2026-10-24T12:00:00Z", "2026-10-25T12:00:00Z")).toEqual([
      ["2026-10-25T02:30:00+02:00", "2026-10-25T03:30:00+01:00", "2026-10-25T00:30:00.000Z", "2026-10-25T02:30:00.000Z"],
    ]);
    expect(between({ start: "01:00", duration: "3h" }, "2026-10-24T12:00:00Z", "2026-10-25T12:00:00Z")).toEqual([
      ["2026-10-25T01:00:00+02:00", "2026-10-25T04:00:00+01:00", "2026-10-24T23:00:00.000Z", "2026-10-25T03:00:00.000Z"],
    ]);
  });
});

describe("America/New_York", () => {
  const ny = { timeZone: "America/New_York", rrule: "FREQ=WEEKLY;BYDAY=TU,TH" };

  it("keeps 02:00 local as the offset changes from -05:00 to -04:00 and back", () => {
    expect(local(ny, "2026-03-05T00:00:00Z", "2026-03-11T00:00:00Z")).toEqual(["2026-03-05T02:00:00-05:00/2026-03-05T05:00:00-05:00", "2026-03-10T02:00:00-04:00/2026-03-10T05:00:00-04:00"]);
    expect(between(ny, "2026-10-29T00:00:00Z", "2026-11-04T00:00:00Z").map((o) => o[2])).toEqual(["2026-10-29T06:00:00.000Z", "2026-11-03T07:00:00.000Z"]);
  });

  it("the spring gap (02:00–03:00 on 8 March) and the autumn fold (01:00–02:00 on 1 November)", () => {
    expect(local({ timeZone: "America/New_York", start: "02:15", duration: "1h" }, "2026-03-08T05:00:00Z", "2026-03-08T12:00:00Z")).toEqual(["2026-03-08T03:00:00-04:00/2026-03-08T03:15:00-04:00"]);
    expect(between({ timeZone: "America/New_York", start: "01:30", duration: "1h" }, "2026-11-01T04:00:00Z", "2026-11-01T12:00:00Z")).toEqual([
      ["2026-11-01T01:30:00-04:00", "2026-11-01T02:30:00-05:00", "2026-11-01T05:30:00.000Z", "2026-11-01T07:30:00.000Z"],
    ]);
  });
});

describe("Asia/Kolkata (+05:30, no daylight saving)", () => {
  it("a daily window across midnight: 23:30 + 2h ends at 01:30 the next local day", () => {
    expect(between({ timeZone: "Asia/Kolkata", start: "23:30", duration: "2h" }, "2026-11-26T19:00:00Z", "2026-11-28T00:00:00Z")).toEqual([
      ["2026-11-26T23:30:00+05:30", "2026-11-27T01:30:00+05:30", "2026-11-26T18:00:00.000Z", "2026-11-26T20:00:00.000Z"],
      ["2026-11-27T23:30:00+05:30", "2026-11-28T01:30:00+05:30", "2026-11-27T18:00:00.000Z", "2026-11-27T20:00:00.000Z"],
    ]);
  });

  it("the rule's days are local days: Monday 01:00 in Kolkata is Sunday 19:30 UTC", () => {
    expect(between({ timeZone: "Asia/Kolkata", rrule: "FREQ=WEEKLY;BYDAY=MO", start: "01:00", duration: "2h" }, "2026-11-29T00:00:00Z", "2026-11-30T00:00:00Z")).toEqual([
      ["2026-11-30T01:00:00+05:30", "2026-11-30T03:00:00+05:30", "2026-11-29T19:30:00.000Z", "2026-11-29T21:30:00.000Z"],
    ]);
  });
});

describe("Australia/Lord_Howe (half-hour daylight saving)", () => {
  const lh = { timeZone: "Australia/Lord_Howe" };

  it("spring forward 02:00 → 02:30 on 4 October 2026: 02:15 starts at 02:30", () => {
    expect(between({ ...lh, start: "02:15", duration: "1h" }, "2026-10-03T12:00:00Z", "2026-10-04T12:00:00Z")).toEqual([
      ["2026-10-04T02:30:00+11:00", "2026-10-04T03:15:00+11:00", "2026-10-03T15:30:00.000Z", "2026-10-03T16:15:00.000Z"],
    ]);
  });

  it("fall back 02:00 → 01:30 on 5 April 2026: 01:45 happens twice and is the first", () => {
    expect(between({ ...lh, start: "01:45", duration: "30m" }, "2026-04-04T12:00:00Z", "2026-04-05T12:00:00Z")).toEqual([
      ["2026-04-05T01:45:00+11:00", "2026-04-05T02:15:00+10:30", "2026-04-04T14:45:00.000Z", "2026-04-04T15:45:00.000Z"],
    ]);
  });

  it("an occurrence entirely inside the gap has no time and is skipped", () => {
    expect(local({ ...lh, start: "02:00", duration: "15m" }, "2026-10-02T12:00:00Z", "2026-10-05T12:00:00Z")).toEqual([
      "2026-10-03T02:00:00+10:30/2026-10-03T02:15:00+10:30",
      "2026-10-05T02:00:00+11:00/2026-10-05T02:15:00+11:00",
    ]);
  });
});

describe("offsetDays", () => {
  it("FREQ=MONTHLY;BYDAY=2TU + 4 is the Saturday after Patch Tuesday, every month", () => {
    const saturdays = local({ rrule: "FREQ=MONTHLY;BYDAY=2TU", offsetDays: 4, start: "00:00", duration: "2d" }, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
    expect(saturdays.map((o) => o.slice(0, 10))).toEqual([
      "2026-01-17", "2026-02-14", "2026-03-14", "2026-04-18", "2026-05-16", "2026-06-13",
      "2026-07-18", "2026-08-15", "2026-09-12", "2026-10-17", "2026-11-14", "2026-12-12",
    ]);
    // The weekend ends Monday 00:00 local, whatever the clocks did (Berlin changed on 29 March and 25 October).
    expect(saturdays[2]).toBe("2026-03-14T00:00:00+01:00/2026-03-16T00:00:00+01:00");
  });

  it.each([
    ["the Monday after the last Friday, in the next month", { rrule: "FREQ=MONTHLY;BYDAY=-1FR", offsetDays: 3 }, ["2026-02-02", "2026-03-02", "2026-03-30"]],
    ["five days before the 1st, in the previous month", { rrule: "FREQ=MONTHLY;BYMONTHDAY=1", offsetDays: -5 }, ["2026-01-27", "2026-02-24", "2026-03-27"]],
    ["a day before 1 March of a leap year is 29 February", { rrule: "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1", offsetDays: -1 }, ["2028-02-29"]],
  ])("%s", (_, over, dates) => {
    const from = `${dates[0]}T00:00:00Z`;
    const to = new Date(new Date(`${dates[dates.length - 1]}T00:00:00Z`).getTime() + 86_400_000).toISOString();
    expect(local({ ...over, start: "00:00", duration: "3h" }, from, to).map((o) => o.slice(0, 10))).toEqual(dates);
  });

  it("across the year end, and found from a range that holds the shifted date but not the rule's", () => {
    expect(local({ rrule: "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31", offsetDays: 1, start: "10:00", duration: "1h" }, "2026-12-31T12:00:00Z", "2027-01-02T00:00:00Z"))
      .toEqual(["2027-01-01T10:00:00+01:00/2027-01-01T11:00:00+01:00"]);
  });
});

describe("next occurrence and inside-an-occurrence", () => {
  const overnight = recurrence({ timeZone: "Asia/Kolkata", start: "22:00", duration: "6h" });
  const at = (iso: string) => new Date(iso);

  it("an occurrence in progress contains t and is the next one; start inclusive, end exclusive", () => {
    // 22:00 IST = 16:30 UTC; the window runs to 04:00 IST (22:30 UTC).
    expect(localStart(nextOccurrence(overnight, at("2026-11-27T20:00:00Z")))).toBe("2026-11-27T22:00:00+05:30");
    expect(localStart(occurrenceAt(overnight, at("2026-11-27T16:30:00Z")))).toBe("2026-11-27T22:00:00+05:30");
    expect(occurrenceAt(overnight, at("2026-11-27T22:30:00Z"))).toBeNull();
    expect(localStart(nextOccurrence(overnight, at("2026-11-27T22:30:00Z")))).toBe("2026-11-28T22:00:00+05:30");
  });

  it("an occurrence in progress at `from` is listed", () => {
    expect(occurrencesBetween(overnight, at("2026-11-27T20:00:00Z"), at("2026-11-27T21:00:00Z")).map(localStart)).toEqual(["2026-11-27T22:00:00+05:30"]);
  });

  it("finds occurrences far apart and says null when the rule has ended", () => {
    const yearly = recurrence({ rrule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", start: "03:00", duration: "1h" });
    expect(nextOccurrence(yearly, at("2026-03-01T00:00:00Z"))?.start.toISOString()).toBe("2028-02-29T02:00:00.000Z");
    const ended = recurrence({ rrule: "FREQ=DAILY;UNTIL=20261130" });
    expect(nextOccurrence(ended, at("2026-11-30T01:00:00Z"))?.start.toISOString()).toBe("2026-11-30T01:00:00.000Z");
    expect(nextOccurrence(ended, at("2026-11-30T04:00:00Z"))).toBeNull();
  });
});

describe("startDate anchors rules that count", () => {
  it("every other Saturday from 3 January; the parity holds for any range", () => {
    const fortnightly = { rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA", startDate: "2026-01-03" };
    expect(local(fortnightly, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z").map((o) => o.slice(0, 10))).toEqual(["2026-01-03", "2026-01-17", "2026-01-31"]);
    expect(local(fortnightly, "2026-11-01T00:00:00Z", "2026-11-30T00:00:00Z").map((o) => o.slice(0, 10))).toEqual(["2026-11-07", "2026-11-21"]);
  });

  it("COUNT stops after that many dates; nothing before startDate exists", () => {
    expect(local({ rrule: "FREQ=DAILY;COUNT=3", startDate: "2026-05-10" }, "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z").map((o) => o.slice(0, 10))).toEqual(["2026-05-10", "2026-05-11", "2026-05-12"]);
    expect(local({ rrule: "FREQ=WEEKLY;BYDAY=MO", startDate: "2026-05-10" }, "2026-05-01T00:00:00Z", "2026-05-20T00:00:00Z").map((o) => o.slice(0, 10))).toEqual(["2026-05-11", "2026-05-18"]);
  });
});

describe("validation", () => {
  it.each([
    ["an unknown zone", { timeZone: "Mars/Olympus" }, "invalid-time-zone", "/timeZone"],
    ["a fixed offset", { timeZone: "+05:30" }, "invalid-time-zone", "/timeZone"],
    ["a weekday that is none", { rrule: "FREQ=WEEKLY;BYDAY=XX" }, "invalid-rrule", "/rrule"],
    ["sub-daily frequencies", { rrule: "FREQ=HOURLY" }, "invalid-rrule", "/rrule"],
    ["time-of-day parts (the time is `start`)", { rrule: "FREQ=DAILY;BYHOUR=3" }, "invalid-rrule", "/rrule"],
    ["DTSTART in the rule", { rrule: "DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY" }, "invalid-rrule", "/rrule"],
    ["COUNT with UNTIL", { rrule: "FREQ=DAILY;COUNT=2;UNTIL=20270101", startDate: "2026-01-01" }, "invalid-rrule", "/rrule"],
    ["an unknown part", { rrule: "FREQ=DAILY;BYEASTER=0" }, "invalid-rrule", "/rrule"],
    ["a numbered weekday in a weekly rule", { rrule: "FREQ=WEEKLY;BYDAY=2TU" }, "invalid-rrule", "/rrule"],
    ["INTERVAL without startDate", { rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA" }, "invalid-rrule", "/rrule"],
    ["a weekly rule naming no day, without startDate", { rrule: "FREQ=WEEKLY" }, "invalid-rrule", "/rrule"],
    ["a rule that picks no date", { rrule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30" }, "invalid-rrule", "/rrule"],
    ["UNTIL as a date-time", { rrule: "FREQ=DAILY;UNTIL=20270101T000000Z" }, "invalid-rrule", "/rrule"],
    ["a zero duration", { duration: "0m" }, "invalid-duration", "/duration"],
    ["seconds", { duration: "90s" }, "invalid-duration", "/duration"],
    ["more than 31 days", { rrule: "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1", duration: "32d" }, "invalid-duration", "/duration"],
    ["a daily window longer than a day (occurrences would overlap)", { duration: "25h" }, "invalid-duration", "/duration"],
    ["Tuesdays and Thursdays for more than 2 days", { rrule: "FREQ=WEEKLY;BYDAY=TU,TH", duration: "49h" }, "invalid-duration", "/duration"],
    ["a start that is no time", { start: "24:00" }, "validation-failed", "/start"],
    ["a start date that does not exist", { startDate: "2026-02-30" }, "validation-failed", "/startDate"],
    ["a start date long ago", { startDate: "1999-12-31" }, "validation-failed", "/startDate"],
    ["a year's offset", { offsetDays: 400 }, "validation-failed", "/offsetDays"],
  ])("refuses %s", (_, over, code, pointer) => {
    const error = errorOf(() => recurrence(over as Partial<RecurrenceDefinition>));
    expect(error.code).toBe(code);
    expect(error.extensions.pointer).toBe(pointer);
  });

  it("accepts touching occurrences, lower case and an RRULE: prefix; canonicalises the zone", () => {
    expect(recurrence({ duration: "24h" }).durationMinutes).toBe(1440);
    expect(recurrence({ rrule: "FREQ=WEEKLY;BYDAY=TU,TH", duration: "48h" }).durationMinutes).toBe(2880);
    const canonical = recurrence({ timeZone: "europe/berlin", rrule: "rrule:freq=weekly;byday=tu" });
    expect(canonical.definition).toMatchObject({ timeZone: "Europe/Berlin", rrule: "FREQ=WEEKLY;BYDAY=TU", offsetDays: 0, startDate: null });
  });
});

describe("the process's own time zone does not matter", () => {
  const original = process.env.TZ;
  afterEach(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });

  it.each(["Pacific/Kiritimati", "America/Adak", "UTC"])("TZ=%s", (tz) => {
    process.env.TZ = tz;
    expect(local({ rrule: "FREQ=MONTHLY;BYDAY=2TU", offsetDays: 4, start: "00:00", duration: "2d" }, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"))
      .toEqual(["2026-03-14T00:00:00+01:00/2026-03-16T00:00:00+01:00"]);
    expect(local({ start: "02:30", duration: "1h" }, "2026-03-29T00:00:00Z", "2026-03-29T12:00:00Z")).toEqual(["2026-03-29T03:00:00+02:00/2026-03-29T03:30:00+02:00"]);
  });
});
