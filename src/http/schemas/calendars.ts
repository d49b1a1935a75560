// Maintenance windows and blackouts: request and response schemas (and so openapi.yaml). The rules behind the
// members are in src/domain/recurrence.ts and src/domain/blackouts.ts; what the schema can say, it says here too.
import { Type } from "typebox";
import { Cursor, Limit, Timestamp, page } from "./common.js";

export const NameParams = Type.Object(
  {
    name: Type.String({
      pattern: "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
      description: "Lower-case letters, digits and inner hyphens, 1–63 characters (safe in a URL as it is).",
      examples: ["tue-thu-night"],
    }),
  },
  { additionalProperties: false },
);

const Description = Type.Union([Type.Null(), Type.String({ maxLength: 1000 })], { description: "Free text for people." });
const TimeZone = Type.String({ minLength: 1, maxLength: 64, description: "IANA time zone; stored in its canonical spelling. Fixed offsets are refused.", examples: ["Europe/Berlin"] });
const Rrule = Type.String({
  minLength: 1,
  maxLength: 500,
  description:
    "RFC 5545 RRULE choosing local dates: FREQ DAILY, WEEKLY, MONTHLY or YEARLY with INTERVAL, COUNT, UNTIL (a local date YYYYMMDD, inclusive), " +
    "BYDAY, BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYMONTH, BYSETPOS, WKST. No DTSTART (use `startDate`) and no BYHOUR/BYMINUTE/BYSECOND (use `start`). " +
    "COUNT, INTERVAL > 1, and WEEKLY/MONTHLY/YEARLY rules naming no day count from `startDate`, which they then need.",
  examples: ["FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=MONTHLY;BYDAY=2TU"],
});
const Start = Type.String({ pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$", description: "Local wall-clock start, HH:mm. Kept across daylight-saving changes: a time that happens twice is its first; one that does not happen starts when the gap ends.", examples: ["02:00"] });
const Duration = Type.String({
  pattern: "^[0-9]{1,5}(m|h|d)$",
  description: "Local wall-clock length (`90m`, `3h`, `2d`), at most `31d` and at most the shortest distance between two of the rule's dates (occurrences never overlap). 02:00 + 3h ends at 05:00 local even when the clocks change that night.",
  examples: ["3h"],
});
const OffsetDays = Type.Integer({ minimum: -365, maximum: 365, description: "Days added to each date the rule picks: `FREQ=MONTHLY;BYDAY=2TU` with 4 is the Saturday after Patch Tuesday." });
const StartDate = Type.String({
  format: "date",
  description: "The local date the rule counts from (RFC 5545 DTSTART's date), 2000-01-01 to 2199-12-31; no occurrence comes from an earlier date.",
  examples: ["2026-01-03"],
});
const NullableStartDate = Type.Union([Type.Null(), StartDate]);
const Audit = {
  createdAt: Timestamp,
  createdBy: Type.String(),
  updatedAt: Timestamp,
  updatedBy: Type.String(),
};

export const MaintenanceWindowPut = Type.Object(
  {
    description: Type.Optional(Description),
    timeZone: TimeZone,
    rrule: Rrule,
    start: Start,
    duration: Duration,
    offsetDays: Type.Optional(OffsetDays),
    startDate: Type.Optional(NullableStartDate),
  },
  { additionalProperties: false, examples: [{ timeZone: "Europe/Berlin", rrule: "FREQ=WEEKLY;BYDAY=TU,TH", start: "02:00", duration: "3h" }] },
);

export const MaintenanceWindow = Type.Object(
  { name: NameParams.properties.name, description: Description, timeZone: TimeZone, rrule: Rrule, start: Start, duration: Duration, offsetDays: OffsetDays, startDate: NullableStartDate, ...Audit },
  { $id: "MaintenanceWindow", additionalProperties: false, description: "When a team's systems may be maintained: a recurrence in the team's own time zone." },
);

const LocalDateTime = Type.String({ pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?$", description: "Local date-time without offset.", examples: ["2026-11-27T00:00"] });

export const VmSelector = Type.Object(
  {
    subscriptionId: Type.Optional(Type.String({ format: "uuid", description: "Case-insensitive; stored lower-cased." })),
    resourceGroup: Type.Optional(Type.String({ minLength: 1, maxLength: 90, description: "Case-insensitive." })),
    tags: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 256 }), {
      maxProperties: 50,
      propertyNames: { minLength: 1, maxLength: 512 },
      description: "Every tag listed must be on the VM: names case-insensitive, values exact (as Azure compares tags).",
    })),
    availabilitySet: Type.Optional(Type.String({ minLength: 1, maxLength: 80, description: "Availability set name, case-insensitive." })),
    scaleSet: Type.Optional(Type.String({ minLength: 1, maxLength: 80, description: "Scale set name, case-insensitive." })),
  },
  { additionalProperties: false, description: "Which VMs: every member given must match; none (or no selector) matches every VM." },
);

const Ranges = Type.Array(
  Type.Object({ start: LocalDateTime, end: Type.String({ ...LocalDateTime, description: "Exclusive." }) }, { additionalProperties: false }),
  { maxItems: 100, description: "Local ranges [start, end)." },
);

export const BlackoutPut = Type.Object(
  {
    description: Type.Optional(Description),
    timeZone: TimeZone,
    ranges: Type.Optional(Ranges),
    rrule: Type.Optional(Type.Union([Type.Null(), Rrule])),
    start: Type.Optional(Type.Union([Type.Null(), Start])),
    duration: Type.Optional(Type.Union([Type.Null(), Duration])),
    offsetDays: Type.Optional(Type.Union([Type.Null(), OffsetDays])),
    startDate: Type.Optional(NullableStartDate),
    selector: Type.Optional(Type.Union([Type.Null(), VmSelector])),
  },
  {
    additionalProperties: false,
    description: "Give `ranges`, a recurrence (`rrule` with `start` and `duration`, as for maintenance windows), or both.",
    examples: [{ timeZone: "America/New_York", ranges: [{ start: "2026-11-27T00:00", end: "2026-11-30T00:00" }], selector: { tags: { env: "prod" } } }],
  },
);

export const Blackout = Type.Object(
  {
    name: NameParams.properties.name,
    description: Description,
    timeZone: TimeZone,
    ranges: Ranges,
    rrule: Type.Union([Rrule, Type.Null()]),
    start: Type.Union([Start, Type.Null()]),
    duration: Type.Union([Duration, Type.Null()]),
    offsetDays: Type.Union([OffsetDays, Type.Null()]),
    startDate: NullableStartDate,
    selector: Type.Union([VmSelector, Type.Null()]),
    ...Audit,
  },
  { $id: "Blackout", additionalProperties: false, description: "A time when maintenance must not start, for the VMs its selector picks (null: all)." },
);

export const NamedQuery = Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false });
export const MaintenanceWindowPage = page(Type.Ref("MaintenanceWindow"), "Maintenance windows in name order.");
export const BlackoutPage = page(Type.Ref("Blackout"), "Blackouts in name order.");

export const TimeRangeQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: "date-time", description: "RFC 3339 with offset; default now." })),
    to: Type.Optional(Type.String({ format: "date-time", description: "RFC 3339 with offset, exclusive; default 31 days after `from`, at most 366 days after it." })),
  },
  { additionalProperties: false },
);

const LocalInterval = Type.Object(
  {
    start: Timestamp,
    end: Timestamp,
    localStart: Type.String({ description: "`start` in the definition's time zone, with its offset.", examples: ["2026-11-27T02:00:00+01:00"] }),
    localEnd: Type.String({ examples: ["2026-11-27T05:00:00+01:00"] }),
  },
  { additionalProperties: false },
);

const localIntervalList = (description: string) => Type.Object({ timeZone: TimeZone, from: Timestamp, to: Timestamp, value: Type.Array(LocalInterval) }, { description });

export const OccurrenceList = localIntervalList("Every occurrence that overlaps [from, to) (one in progress at `from` included), in order.");
export const BlackoutIntervalList = localIntervalList("The blackout's times that overlap [from, to), in order; overlapping and adjacent ones merged.");
