// What runs after every sync (SyncDeps.afterSync), in order: maintenance groups' members first (the planner and
// the re-check see the VMs the sync found), the booking re-check (a booking it ends leaves its VM unbooked),
// auto-booking (it books members of autoBook groups, also those whose booking the re-check just invalidated), then
// the deadline alerts (for what is still unbooked). One step failing does not keep the next from running.
import type pg from "pg";
import type { DeadlineWarning } from "../domain/deadlines.js";
import { recheckAfterSync } from "./booking-recheck.js";
import { autoBookAfterSync, type AutoBookConfig } from "./auto-booking.js";
import { announceDeadlinesAfterSync } from "./deadline-alerts.js";
import { refreshMembersAfterSync } from "./maintenance-groups.js";

type Step = (run: { id: string }) => Promise<void>;

export function chainSteps(...steps: Step[]): Step {
  return async (run) => {
    const errors: unknown[] = [];
    for (const step of steps) await step(run).catch((error: unknown) => errors.push(error));
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, "after-sync steps failed");
  };
}

export interface AfterSyncOptions {
  deadlineWarnings: readonly DeadlineWarning[];
  /** The booking rules and the planner's settings, for auto-booking. */
  autoBook: AutoBookConfig;
  log?: { info(obj: object, msg: string): void };
}

export function afterSyncSteps(pool: pg.Pool, opts: AfterSyncOptions): Step {
  return chainSteps(
    refreshMembersAfterSync(pool), recheckAfterSync(pool, opts.log), autoBookAfterSync(pool, opts.autoBook, opts.log), announceDeadlinesAfterSync(pool, opts.deadlineWarnings, opts.log),
  );
}
