// Deadlines: a VM's self-service window end is the last moment its owner can choose when maintenance happens.
// "Unbooked" (the `maintenance=unbooked` list and the alerts) and which warnings are due are decided here. Pure.
import { formatDuration, parseDuration } from "./duration.js";
import { isPending, type MaintenanceStatus } from "./maintenance.js";

/** One of DEADLINE_WARNINGS: warn once when the deadline is this close. `label` is its one spelling (`2d`). */
export interface DeadlineWarning {
  label: string;
  ms: number;
}

/** `7d,2d,12h` → warnings, widest first, each length once; null when any part is not a duration > 0. */
export function parseDeadlineWarnings(text: string): DeadlineWarning[] | null {
  const parts = text.split(",").map((s) => s.trim()).filter(Boolean);
  const lengths = parts.map(parseDuration);
  if (lengths.some((ms) => ms === null || ms <= 0)) return null;
  return [...new Set(lengths as number[])].sort((a, b) => b - a).map((ms) => ({ label: formatDuration(ms), ms }));
}

/**
 * The deadline an owner still has to act on: the end of a self-service window that has not ended, while the
 * maintenance is pending. Null otherwise (nothing pending, no end known, or too late to choose).
 */
export function selfServiceDeadline(status: MaintenanceStatus | null, now: Date): Date | null {
  const end = status?.selfServiceWindow.end ?? null;
  if (!end || end.getTime() <= now.getTime() || !isPending(status, now)) return null;
  return end;
}

export interface UnbookedFacts {
  status: MaintenanceStatus | null;
  /** Whether the VM's maintenance was ever read (`maintenanceReadAt`): unknown maintenance is never "unbooked". */
  maintenanceKnown: boolean;
  /** Whether the VM has a `scheduled` or `running` booking. */
  activeBooking: boolean;
}

/** `maintenance=unbooked`: known, pending maintenance with an open or upcoming self-service window, and no active booking. */
export function isUnbooked(vm: UnbookedFacts, now: Date): boolean {
  return vm.maintenanceKnown && !vm.activeBooking && selfServiceDeadline(vm.status, now) !== null;
}

export interface WarningsDue {
  /** Every warning whose threshold the deadline is now within and that was not yet given: remember them all. */
  record: DeadlineWarning[];
  /** The one to announce: the tightest of them (a VM first seen a day before its deadline gets `2d`, not `7d` too). */
  announce: DeadlineWarning;
}

/**
 * Which warnings are due for an unbooked VM whose deadline is `deadline`, given the thresholds already
 * announced for this deadline (a moved window is a new deadline, so it starts with none). Null: nothing new.
 */
export function warningsDue(deadline: Date, now: Date, warnings: readonly DeadlineWarning[], announced: readonly string[]): WarningsDue | null {
  const left = deadline.getTime() - now.getTime();
  if (left <= 0) return null;
  const record = warnings.filter((w) => left <= w.ms && !announced.includes(w.label));
  if (record.length === 0) return null;
  return { record, announce: tightest(record) };
}

/** The warning with the smallest threshold. */
export function tightest(warnings: readonly DeadlineWarning[]): DeadlineWarning {
  return warnings.reduce((a, b) => (b.ms < a.ms ? b : a));
}

/** How far ahead to look for deadlines: the widest warning (none configured: nothing to look for). */
export function warningHorizonMs(warnings: readonly DeadlineWarning[]): number {
  return warnings.reduce((max, w) => Math.max(max, w.ms), 0);
}
