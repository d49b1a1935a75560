// The RFC 5545 RRULE a maintenance window or blackout recurs by, checked part by part before the `rrule`
// library evaluates it: rrule's own parser accepts nonsense silently (BYDAY=XX becomes an empty weekday), and
// some parts do not fit our model, where a rule picks local *dates* and `start` gives the time of day.
import rrulePkg, { type Options } from "rrule";
import { DomainError } from "./errors.js";
import { parseLocalDate } from "./local-time.js";

// rrule ships a CommonJS bundle whose named exports Node's ESM loader cannot see: take them from the default.
export const { RRule } = rrulePkg;
export type RuleOptions = Partial<Options>;

export interface ParsedRule {
  /** The rule as checked: upper case, without an "RRULE:" prefix. */
  text: string;
  options: RuleOptions;
  /**
   * Whether the rule's dates depend on where it starts counting (RFC 5545 DTSTART): COUNT, INTERVAL > 1, or a
   * WEEKLY/MONTHLY/YEARLY rule that names no day and so takes the first date's weekday or day of month.
   */
  anchored: boolean;
}

const WEEKDAY = "(MO|TU|WE|TH|FR|SA|SU)";
const FREQS = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"];
const DAY_PARTS = ["BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO"];

function invalid(message: string): DomainError {
  return new DomainError("invalid-rrule", `${message} (RFC 5545 RRULE, e.g. "FREQ=WEEKLY;BYDAY=TU,TH" or "FREQ=MONTHLY;BYDAY=2TU").`, { pointer: "/rrule" });
}

/** A comma-separated list (or, when `single`, one) of integers with 1 ≤ |n| ≤ max; negative only when `signed`. */
function intList(key: string, value: string, max: number, signed: boolean, single = false): void {
  if (single && value.includes(",")) throw invalid(`${key}=${value}: one value only`);
  for (const item of value.split(",")) {
    const ok = (signed ? /^[+-]?\d{1,3}$/ : /^\+?\d{1,3}$/).test(item) && Math.abs(Number(item)) >= 1 && Math.abs(Number(item)) <= max;
    if (!ok) throw invalid(`${key}=${value}: each value must be ${signed ? "±" : ""}1 to ${max}`);
  }
}

const VALUE_CHECKS: Record<string, (key: string, value: string) => void> = {
  FREQ: (k, v) => {
    if (!FREQS.includes(v)) throw invalid(`FREQ=${v}: a window happens at most once a day, so FREQ is one of ${FREQS.join(", ")}`);
  },
  INTERVAL: (k, v) => intList(k, v, 999, false, true),
  COUNT: (k, v) => intList(k, v, 999, false, true),
  UNTIL: (k, v) => {
    if (!/^\d{8}$/.test(v) || !parseLocalDate(`${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6)}`)) {
      throw invalid(`UNTIL=${v}: give the last local date the rule may pick, as YYYYMMDD (a date-time is not accepted)`);
    }
  },
  BYDAY: (k, v) => {
    if (!new RegExp(`^([+-]?\\d{1,2})?${WEEKDAY}(,([+-]?\\d{1,2})?${WEEKDAY})*$`).test(v)) throw invalid(`BYDAY=${v}: weekdays are MO, TU, WE, TH, FR, SA, SU, optionally numbered (2TU, -1FR)`);
    for (const ordinal of v.matchAll(/([+-]?\d+)[A-Z]{2}/g)) {
      const n = Math.abs(Number(ordinal[1]));
      if (n < 1 || n > 53) throw invalid(`BYDAY=${v}: a weekday's number must be ±1 to ±53`);
    }
  },
  BYMONTHDAY: (k, v) => intList(k, v, 31, true),
  BYYEARDAY: (k, v) => intList(k, v, 366, true),
  BYWEEKNO: (k, v) => intList(k, v, 53, true),
  BYMONTH: (k, v) => intList(k, v, 12, false),
  BYSETPOS: (k, v) => intList(k, v, 366, true),
  WKST: (k, v) => {
    if (!new RegExp(`^${WEEKDAY}$`).test(v)) throw invalid(`WKST=${v}: must be a weekday (MO … SU)`);
  },
};

function splitParts(text: string): Map<string, string> {
  if (/DTSTART/.test(text) || /[\r\n]/.test(text)) {
    throw invalid("Give the rule alone: the time of day is `start` and the first date `startDate`, not a DTSTART line");
  }
  const parts = new Map<string, string>();
  for (const part of text.split(";")) {
    const match = /^([A-Z]+)=([^=]+)$/.exec(part);
    if (!match) throw invalid(`"${part}" is not a KEY=VALUE rule part`);
    const [, key, value] = match;
    if (["BYHOUR", "BYMINUTE", "BYSECOND"].includes(key)) throw invalid(`${key} is not accepted: the time of day is the window's \`start\``);
    const check = VALUE_CHECKS[key];
    if (!check) throw invalid(`Unknown or unsupported rule part ${key}`);
    if (parts.has(key)) throw invalid(`${key} is given twice`);
    check(key, value);
    parts.set(key, value);
  }
  return parts;
}

/** RFC 5545 §3.3.10's MUST NOTs, which rrule would otherwise evaluate in its own way. */
function checkCombinations(parts: Map<string, string>): void {
  const freq = parts.get("FREQ");
  if (!freq) throw invalid("FREQ is required");
  if (parts.has("COUNT") && parts.has("UNTIL")) throw invalid("COUNT and UNTIL cannot both be given");
  if (parts.has("BYWEEKNO") && freq !== "YEARLY") throw invalid("BYWEEKNO needs FREQ=YEARLY");
  if (parts.has("BYYEARDAY") && freq !== "YEARLY") throw invalid("BYYEARDAY needs FREQ=YEARLY");
  if (parts.has("BYMONTHDAY") && freq === "WEEKLY") throw invalid("BYMONTHDAY cannot be used with FREQ=WEEKLY");
  const numbered = /\d/.test(parts.get("BYDAY") ?? "");
  if (numbered && (!["MONTHLY", "YEARLY"].includes(freq) || parts.has("BYWEEKNO"))) {
    throw invalid("A numbered weekday (2TU) needs FREQ=MONTHLY or FREQ=YEARLY without BYWEEKNO");
  }
  if (parts.has("BYSETPOS") && ![...parts.keys()].some((k) => k.startsWith("BY") && k !== "BYSETPOS")) throw invalid("BYSETPOS needs another BY… part to pick from");
}

/** Checks and parses a rule; `hasStartDate` tells whether an anchored rule has the first date it needs. */
export function parseRule(input: string, hasStartDate: boolean): ParsedRule {
  const text = input.trim().toUpperCase().replace(/^RRULE:/, "");
  const parts = splitParts(text);
  checkCombinations(parts);
  const options = RRule.parseString(text);
  const interval = Number(parts.get("INTERVAL") ?? "1");
  const namesNoDay = parts.get("FREQ") !== "DAILY" && !DAY_PARTS.some((p) => parts.has(p));
  const anchored = parts.has("COUNT") || interval > 1 || namesNoDay;
  if (anchored && !hasStartDate) {
    const why = parts.has("COUNT") ? "COUNT counts" : interval > 1 ? `INTERVAL=${interval} counts` : `FREQ=${parts.get("FREQ")} without BYDAY or BYMONTHDAY repeats the day`;
    throw invalid(`${why} from a first date: give \`startDate\` (or name the days, e.g. BYDAY=TU)`);
  }
  return { text, options, anchored };
}
