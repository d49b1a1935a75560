// What a sync's new facts mean for a booking that is still `scheduled`. Pure; the service loads the facts and
// writes the decisions (src/services/booking-recheck.ts).
import { canTransition, type BookingState } from "./booking-states.js";
import type { BookableVm } from "./bookings.js";

export interface RecheckDecision {
  state: Extract<BookingState, "invalidated" | "not-needed">;
  reason: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : "(open)");

/**
 * null: the booking stands. Otherwise the final state it moves to and why. Only a window that moved so that
 * startAt lies outside it invalidates; the lead time and end margin are rules for choosing a time, not for
 * keeping one, so a change of policy never invalidates existing bookings.
 */
export function recheckBooking(startAt: Date, vm: BookableVm): RecheckDecision | null {
  const decision = decide(startAt, vm);
  if (decision && !canTransition("scheduled", decision.state)) throw new Error(`scheduled → ${decision.state} is not a transition`);
  return decision;
}

function decide(startAt: Date, vm: BookableVm): RecheckDecision | null {
  if (vm.goneSince) return { state: "not-needed", reason: `The virtual machine is no longer listed by Azure (gone since ${vm.goneSince.toISOString()}).` };
  // Only a reading of the VM's own instance view may end a booking: a status never read is unknown, not none.
  if (vm.maintenanceReadAt === null) return null;
  const m = vm.maintenance;
  if (!m) return { state: "not-needed", reason: "Azure no longer plans maintenance for this virtual machine." };
  if (m.lastOperationResultCode === "MaintenanceCompleted") return { state: "not-needed", reason: "Azure reports the maintenance as completed." };
  const { start, end } = m.selfServiceWindow;
  const t = startAt.getTime();
  if ((start && t < start.getTime()) || (end && t >= end.getTime())) {
    return {
      state: "invalidated",
      reason: `The self-service window moved to ${iso(start)} – ${iso(end)}; startAt ${startAt.toISOString()} is outside it. Book again inside the new window.`,
    };
  }
  return null;
}
