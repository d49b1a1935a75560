// The plan preview and a booking's early warning: the planner's rules (src/domain/planner.ts) applied to a
// simulated future (src/domain/plan-projection.ts) from the state in Postgres, with operations lasting the learned
// estimate. Nothing is written. The claim stays the truth: it decides with what has really happened by then.
import type pg from "pg";
import { inScope, type Scope } from "../domain/access.js";
import type { BookingWarning } from "../domain/booking-warnings.js";
import { DomainError } from "../domain/errors.js";
import { projectPlan, type Projection } from "../domain/plan-projection.js";
import { relatedPlanRows, vmPlanRows, waitingPlanRows, type PlanRow } from "../db/planner-repo.js";
import { withTransaction } from "../db/transaction.js";
import { plannerSettings, plannerState, type PlannerConfig } from "./planner-claim.js";

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
}

export interface PlanPreview {
  generatedAt: Date;
  operationEstimateMs: number;
  value: PlanProjection[];
}

const hypotheticalId = (i: number) => `hypothetical:${i}`;

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

function projectionJson(row: PlanRow, p: Projection | null): PlanProjection {
  const hypothetical = row.id.startsWith("hypothetical:");
  return {
    bookingId: hypothetical ? null : row.id,
    virtualMachineId: row.virtualMachineId,
    startAt: row.startAt,
    projectedStartAt: p?.projectedStart ?? null,
    projectedEndAt: p?.projectedEnd ?? null,
    deferralReasons: p ? [...p.deferrals, ...(p.reason ? [p.reason] : [])] : ["its maintenance group is past its error budget; resume the group to go on"],
    missesDeadline: p?.outcome === "missed",
    held: p === null || p.outcome === "held",
  };
}

/**
 * Every scheduled and held booking the caller may see, and the hypothetical items (each standing in for its VM's
 * scheduled booking, if any), as the planner would run them from `now`, in projected start order.
 */
export function previewPlan(pool: pg.Pool, scope: Scope, hypothetical: HypotheticalItem[], now: Date, config: PlannerConfig): Promise<PlanPreview> {
  return withTransaction(pool, async (client) => {
    await client.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    const vmIds = [...new Set(hypothetical.map((h) => h.virtualMachineId.toLowerCase()))];
    const vms = new Map((await vmPlanRows(client, vmIds)).map((v) => [v.virtualMachineId, v]));
    const extra = hypothetical.map((h, i) => {
      const vm = vms.get(h.virtualMachineId.toLowerCase());
      const pointer = `/items/${i}/virtualMachineId`;
      if (!vm) throw new DomainError("virtual-machine-unknown", `No virtual machine with id ${h.virtualMachineId} has been synced.`, { pointer });
      if (!inScope(scope, vm)) throw new DomainError("forbidden", `Virtual machine ${h.virtualMachineId} is outside your scope assignments.`, { pointer });
      return { ...vm, id: hypotheticalId(i), startAt: h.startAt, state: "hypothetical" };
    });
    const { settings, held, items, projections } = await project(client, await waitingPlanRows(client), extra, now, config);
    const value = [...items.map((r) => [r, projections.get(r.id)!] as const), ...held.map((r) => [r, null] as const)]
      .filter(([r]) => inScope(scope, r))
      .map(([r, p]) => projectionJson(r, p));
    const at = (p: PlanProjection) => p.projectedStartAt?.getTime() ?? Infinity;
    value.sort((a, b) => at(a) - at(b) || a.startAt.getTime() - b.startAt.getTime());
    return { generatedAt: now, operationEstimateMs: settings.operationDurationMs, value };
  });
}

/**
 * The warning a booking's answer carries when the planner is expected to start it later than booked (or not
 * before its window closes), from the bookings it shares an availability set, scale set or group with.
 */
export async function deferralWarning(pool: pg.Pool, booking: { id: string; virtualMachineId: string; startAt: Date }, now: Date, config: PlannerConfig): Promise<BookingWarning | null> {
  const related = await relatedPlanRows(pool, booking.virtualMachineId);
  const own = related.find((r) => r.id === booking.id);
  // Alone in its placement and in no group: nothing can hold it back.
  if (!own || (own.groups.length === 0 && related.length === 1)) return null;
  const p = await withTransaction(pool, async (client) => {
    await client.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
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
