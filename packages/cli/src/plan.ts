// The declarative plan for `apply -f`: the bookings a team wants, one entry per VM.
//
//   timeZone: Europe/Amsterdam        # optional: for times without an offset (default: this machine's zone)
//   bookings:
//     - vm: web-01                    # id, ARM resource id or name
//       at: 2026-12-01T22:00          # or 2026-12-01T22:00:00+01:00, or `none`: no booking wanted (cancel)
//       note: Patch night             # optional; when given, kept equal to the booking's note
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { UsageError } from "./exit-codes.js";
import { checkTimeZone, parseTime } from "./time.js";

export interface PlanEntry {
  vm: string;
  /** RFC 3339 with offset; null: no booking wanted. */
  startAt: string | null;
  note?: string;
}

export function readPlan(file: string): PlanEntry[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  const where = (i: number) => `${file}: bookings[${i}]`;
  if (!isObject(doc) || !Array.isArray(doc.bookings)) throw new UsageError(`${file} must have a list \`bookings\` (see apply --help)`);
  unknownKeys(doc, ["timeZone", "bookings"], file);
  if (doc.timeZone !== undefined && typeof doc.timeZone !== "string") throw new UsageError(`${file}: timeZone must be an IANA time zone name`);
  const timeZone = doc.timeZone === undefined ? undefined : checkTimeZone(doc.timeZone);
  return doc.bookings.map((entry: unknown, i: number): PlanEntry => {
    if (!isObject(entry)) throw new UsageError(`${where(i)} must be a mapping with vm and at`);
    unknownKeys(entry, ["vm", "at", "note"], where(i));
    if (typeof entry.vm !== "string" || entry.vm === "") throw new UsageError(`${where(i)}.vm must be a VM id, resource id or name`);
    if (typeof entry.at !== "string") throw new UsageError(`${where(i)}.at must be a time (quote it) or none`);
    if (entry.note !== undefined && typeof entry.note !== "string") throw new UsageError(`${where(i)}.note must be text`);
    let startAt: string | null = null;
    try {
      if (entry.at !== "none") startAt = parseTime(entry.at, timeZone && !/(Z|[+-]\d{2}:\d{2})$/i.test(entry.at) ? timeZone : undefined);
    } catch (error) {
      throw new UsageError(`${where(i)}.at: ${(error as Error).message}`);
    }
    return { vm: entry.vm, startAt, note: entry.note as string | undefined };
  });
}

function unknownKeys(value: Record<string, unknown>, allowed: string[], where: string): void {
  const extra = Object.keys(value).filter((k) => !allowed.includes(k));
  if (extra.length) throw new UsageError(`${where}: unknown key ${extra.join(", ")} (allowed: ${allowed.join(", ")})`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
