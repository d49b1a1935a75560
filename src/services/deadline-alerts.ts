// Deadline alerts: `deadline.approaching` once per DEADLINE_WARNINGS threshold per self-service window, for VMs
// whose owners have not booked yet. Runs after every sync and on the scheduler's `deadlines` job, so a threshold
// passed between syncs is caught too. One transaction: the warnings remembered and their events commit together.
import type pg from "pg";
import { tightest, warningHorizonMs, warningsDue, type DeadlineWarning } from "../domain/deadlines.js";
import { appendEvents, type NewEvent } from "../db/outbox-repo.js";
import { deadlinesOf, forgetPassedDeadlines, recordAlerts, unbookedDeadlinesBefore, type AlertRecord, type DeadlineCandidate } from "../db/deadline-alerts-repo.js";
import type { Queryable } from "../db/bookings-repo.js";
import { withTransaction } from "../db/transaction.js";
import { virtualMachineJson } from "../representations.js";

const DAY_MS = 86_400_000;

/** The threshold of the alert auto-booking raises at once for a VM it finds no slot for (once per deadline). */
export const UNPLANNABLE = "unplannable";

function deadlineEvent(c: DeadlineCandidate, threshold: string, reason?: string): NewEvent {
  const vm = virtualMachineJson(c.vm);
  return {
    name: "deadline.approaching",
    source: "/v1/virtual-machines",
    subject: vm.id,
    data: { virtualMachine: vm, selfServiceWindow: vm.maintenance!.selfServiceWindow, threshold, deadline: c.deadline.toISOString(), ...(reason ? { reason } : {}) },
    subscriptionId: vm.subscriptionId,
    resourceGroup: vm.resourceGroup,
  };
}

/** Announces the warnings due at `now`; returns how many events were written. */
export async function announceDeadlines(pool: pg.Pool, warnings: readonly DeadlineWarning[], now: Date): Promise<number> {
  if (warnings.length === 0) return 0;
  return withTransaction(pool, async (client) => {
    // A day's margin: a replica whose clock runs behind must still find what was announced for a deadline.
    await forgetPassedDeadlines(client, new Date(now.getTime() - DAY_MS));
    const candidates = await unbookedDeadlinesBefore(client, now, new Date(now.getTime() + warningHorizonMs(warnings)));
    const wanted: AlertRecord[] = candidates.flatMap((c) =>
      (warningsDue(c.deadline, now, warnings, c.announced)?.record ?? []).map((w) => ({ virtualMachineId: c.vm.id, deadline: c.deadline, threshold: w.label })),
    );
    const recorded = await recordAlerts(client, wanted);
    // Announce, per VM, the tightest of the warnings this call recorded (another replica may have taken some).
    const byVm = new Map<string, DeadlineWarning[]>();
    for (const r of recorded) {
      const warning = warnings.find((w) => w.label === r.threshold);
      if (warning) byVm.set(r.virtualMachineId, [...(byVm.get(r.virtualMachineId) ?? []), warning]);
    }
    const events = candidates.filter((c) => byVm.has(c.vm.id)).map((c) => deadlineEvent(c, tightest(byVm.get(c.vm.id)!).label));
    await appendEvents(client, events);
    return events.length;
  });
}

/**
 * `deadline.approaching` with threshold `unplannable`, at once, for VMs auto-booking found no slot for before their
 * deadline: once per deadline (a moved window is a new one), in the caller's transaction. Returns how many.
 */
export async function announceUnplannable(client: Queryable, unplannable: { virtualMachineId: string; deadline: Date | null; reason: string }[]): Promise<number> {
  const wanted = unplannable.flatMap((u) => (u.deadline ? [{ virtualMachineId: u.virtualMachineId, deadline: u.deadline, threshold: UNPLANNABLE }] : []));
  const recorded = new Set((await recordAlerts(client, wanted)).map((r) => r.virtualMachineId));
  if (recorded.size === 0) return 0;
  const reasons = new Map(unplannable.map((u) => [u.virtualMachineId, u.reason]));
  const events = (await deadlinesOf(client, [...recorded])).map((c) => deadlineEvent(c, UNPLANNABLE, reasons.get(c.vm.id)));
  await appendEvents(client, events);
  return events.length;
}

interface Log {
  info(obj: object, msg: string): void;
}

/** The post-sync step (SyncDeps.afterSync, through src/services/after-sync.ts). */
export function announceDeadlinesAfterSync(pool: pg.Pool, warnings: readonly DeadlineWarning[], log?: Log, clock: () => Date = () => new Date()) {
  return async (run: { id: string }): Promise<void> => {
    const announced = await announceDeadlines(pool, warnings, clock());
    if (announced) log?.info({ syncRunId: run.id, announced }, "deadline warnings announced after sync");
  };
}
