// The plan preview and a booking's early warning: the planner's rules (src/domain/planner.ts) applied to a
// simulated future (src/domain/plan-projection.ts) from the state in Postgres, with operations lasting the learned
// estimate. Nothing is written. The claim stays the truth: it decides with what has really happened by then.
import type pg from "pg";
import { inScope, type Scope } from "../domain/access.js";
import type { BookingWarning } from "../domain/booking-warnings.js";
import { DomainError } from "../domain/errors.js";
import { projectPlan, type Projection } from "../domain/plan-projection.js";
import { relatedPlanRows, vmPlanRows, waitingPlanRows, type PlanRow } from "../db/planner-repo.js";
import { withReadOnlySnapshot } from "../db/transaction.js";
import { plannerSettings, plannerState, type PlannerConfig } from "./planner-claim.js";
import { previewAutoBookings, type AutoBookConfig } from "./auto-booking.js";

export interface HypotheticalItem {
  virtualMachineId: string;
  startAt: Date;
}

export interface PlanProjection {
  bookingId: string | null;
  virtualMachineId: string;
  startAt: Date;
  projectedStartAt: Date | null;
  projectedEndAt: Date | null;
  deferralReasons: string[];
  missesDeadline: boolean;
  held: boolean;
  /** The autoBook group that would book it now (nothing is written); null for a booking or a hypothetical item. */
  autoBookGroup: string | null;
}

export interface PlanPreview {
  generatedAt: Date;
  operationEstimateMs: number;
  value: PlanProjection[];
  /** Members of autoBook groups auto-booking would find no slot for now. */
  unplannable: { virtualMachineId: string; groups: string[]; reason: string; deadline: Date | null }[];
}

const hypotheticalId = (i: number) => `hypothetical:${i}`;
const autoBookId = (i: number) => `auto-booking:${i}`;

/** Project `rows`, with `extra` in place of the scheduled bookings of their VMs. */
async function project(client: pg.PoolClient, rows: PlanRow[], extra: PlanRow[], now: Date, config: PlannerConfig) {
  const replaced = new Set(extra.map((e) => e.virtualMachineId));
  const held = rows.filter((r) => r.state === "held");
  const items = [...rows.filter((r) => r.state === "scheduled" && !replaced.has(r.virtualMachineId)), ...extra];
  const settings = await plannerSettings(client, config);
  const current = await plannerState(client, items);
  const projections = new Map(projectPlan(items, current, now, settings).map((p) => [p.id, p]));
  return { settings, held, items, projections };
}

function projectionJson(row: PlanRow, p: Projection | null, autoBookGroup: string | null): PlanProjection {
  const planned = row.id.startsWith("hypothetical:") || row.id.startsWith("auto-booking:");
  return {
    bookingId: planned ? null : row.id,
    virtualMachineId: row.virtualMachineId,
    startAt: row.startAt,
    projectedStartAt: p?.projectedStart ?? null,
    projectedEndAt: p?.projectedEnd ?? null,
    deferralReasons: p ? [...p.deferrals, ...(p.reason ? [p.reason] : [])] : ["its maintenance group is past its error budget; resume the group to go on"],
    missesDeadline: p?.outcome === "missed",
    held: p === null || p.outcome === "held",
    autoBookGroup,
  };
}

/**
 * Every scheduled and held booking the caller may see, the bookings auto-booking would make now, and the hypothetical
 * items (each standing in for its VM's scheduled or auto booking, if any), as the planner would run them from `now`,
 * in projected start order.
 */
export function previewPlan(pool: pg.Pool, scope: Scope, hypothetical: HypotheticalItem[], now: Date, config: AutoBookConfig): Promise<PlanPreview> {
  return withReadOnlySnapshot(pool, async (client) => {
    const hypotheticalVms = new Set(hypothetical.map((h) => h.virtualMachineId.toLowerCase()));
    const auto = await previewAutoBookings(client, config, now);
    const autoBookings = auto.bookings.filter((b) => !hypotheticalVms.has(b.virtualMachineId));
    const vmIds = [...new Set([...hypotheticalVms, ...autoBookings.map((b) => b.virtualMachineId), ...auto.unplannable.map((u) => u.virtualMachineId)])];
    const vms = new Map((await vmPlanRows(client, vmIds)).map((v) => [v.virtualMachineId, v]));
    const autoGroups = new Map(autoBookings.map((b, i) => [autoBookId(i), b.group]));
    const autoRows = autoBookings.map((b, i) => ({ ...vms.get(b.virtualMachineId)!, id: autoBookId(i), startAt: b.startAt, state: "auto-booking" }));
    const extra = hypothetical.map((h, i) => {
      const vm = vms.get(h.virtualMachineId.toLowerCase());
      const pointer = `/items/${i}/virtualMachineId`;
      if (!vm) throw new DomainError("virtual-machine-unknown", `No virtual machine with id ${h.virtualMachineId} has been synced.`, { pointer });
      if (!inScope(scope, vm)) throw new DomainError("forbidden", `Virtual machine ${h.virtualMachineId} is outside your scope assignments.`, { pointer });
      return { ...vm, id: hypotheticalId(i), startAt: h.startAt, state: "hypothetical" };
    });
    const { settings, held, items, projections } = await project(client, await waitingPlanRows(client), [...extra, ...autoRows], now, config.planner);
    const value = [...items.map((r) => [r, projections.get(r.id)!] as const), ...held.map((r) => [r, null] as const)]
      .filter(([r]) => inScope(scope, r))
      .map(([r, p]) => projectionJson(r, p, autoGroups.get(r.id) ?? null));
    const at = (p: PlanProjection) => p.projectedStartAt?.getTime() ?? Infinity;
    value.sort((a, b) => at(a) - at(b) || a.startAt.getTime() - b.startAt.getTime());
    const unplannable = auto.unplannable.filter((u) => inScope(scope, vms.get(u.virtualMachineId)!));
    return { generatedAt: now, operationEstimateMs: settings.operationDurationMs, value, unplannable };
  });
}

/**
 * The warning a booking's answer carries when the planner is expected to start it later than booked (or not
 * before its window closes), from the bookings it shares an availability set, scale set or group with.
 */
export async function deferralWarning(pool: pg.Pool, booking: { id: string; virtualMachineId: string; startAt: Date }, now: Date, config: PlannerConfig): Promise<BookingWarning | null> {
  const related = await relatedPlanRows(pool, booking.virtualMachineId);
  const own = related.find((r) => r.id === booking.id);
  // Alone in its placement and in no group: nothing can hold it back (one read, no transaction, for most bookings).
  if (!own || (own.groups.length === 0 && related.length === 1)) return null;
  // Otherwise read again, with what the projection reads, in one snapshot.
  const p = await withReadOnlySnapshot(pool, async (client) => {
    const { projections } = await project(client, await relatedPlanRows(client, booking.virtualMachineId), [], now, config);
    return projections.get(booking.id) ?? null;
  });
  if (!p) return null;
  const reasons = [...p.deferrals, ...(p.reason ? [p.reason] : [])].join("; ");
  if (p.outcome === "held") return { code: "deferred", detail: `It will be held: ${reasons}.`, projectedStartAt: null };
  if (p.outcome === "missed") {
    return { code: "deferred", detail: `The planner does not expect to start it before its self-service window closes (${reasons}); it would end missed. Book another time.`, projectedStartAt: null };
  }
  if (p.projectedStart && p.projectedStart.getTime() > Math.max(booking.startAt.getTime(), now.getTime()) + 1000) {
    return { code: "deferred", detail: `Expected to start at ${p.projectedStart.toISOString()}, not at the booked time: ${reasons}.`, projectedStartAt: p.projectedStart.toISOString() };
  }
  return null;
}
