// What the planner reads, set-based, in the claim's transaction (its bookkeeping writes, deferrals and waking
// waiters, are lease statements in leases-repo.ts; state changes go through the one writer). A VM's placement is its availability set or scale set, as one key.
import { parseGroupPolicy, type GroupPolicyInput } from "../domain/planner-policy.js";
import type { GroupState, InFlight, OperationEnd, PlanItem } from "../domain/planner.js";
import type { Queryable } from "./leases-repo.js";

/** A VM's placement over `v`: its availability set or scale set as one key, compared as ARM compares names (a generated column). */
export const PLACEMENT_SQL = "v.placement_key";

const GROUPS_SQL = `coalesce((SELECT array_agg(gm.group_name ORDER BY gm.group_name) FROM maintenance_group_members gm WHERE gm.virtual_machine_id = v.id), '{}')`;

/** A booking (or a VM, for a hypothetical one) as the planner sees it, with what a preview shows and filters on. */
export interface PlanRow extends PlanItem {
  virtualMachineId: string;
  state: string;
  subscriptionId: string;
  resourceGroup: string;
}

const PLAN_ROW_SQL = `v.id AS vm_id, m.self_service_window_end AS window_end, ${PLACEMENT_SQL} AS placement, v.platform_update_domain AS ud,
  ${GROUPS_SQL} AS groups, v.subscription_id, v.resource_group`;

type PlanRowSql = { id: string; start_at: Date; state: string; vm_id: string; window_end: Date | null; placement: string | null; ud: number | null; groups: string[]; subscription_id: string; resource_group: string };

const planRow = (r: PlanRowSql): PlanRow => ({
  id: r.id, startAt: r.start_at, windowEnd: r.window_end, placement: r.placement, updateDomain: r.ud, groups: r.groups,
  virtualMachineId: r.vm_id, state: r.state, subscriptionId: r.subscription_id, resourceGroup: r.resource_group,
});

async function bookingPlanRows(q: Queryable, where: string, params: unknown[]): Promise<PlanRow[]> {
  const { rows } = await q.query<PlanRowSql>(
    `SELECT b.id, b.start_at, b.state, ${PLAN_ROW_SQL}
     FROM bookings b JOIN virtual_machines v ON v.id = b.virtual_machine_id LEFT JOIN maintenance_statuses m ON m.virtual_machine_id = v.id
     WHERE ${where} ORDER BY b.start_at, b.created_at, b.id`,
    params,
  );
  return rows.map(planRow);
}

/** The bookings as the planner sees them, in the order it decides: by time, then first booked first. */
export function planItems(q: Queryable, bookingIds: string[]): Promise<PlanItem[]> {
  return bookingIds.length === 0 ? Promise.resolve([]) : bookingPlanRows(q, "b.id = ANY($1::uuid[])", [bookingIds]);
}

/** Every scheduled and held booking (what a plan preview projects). */
export function waitingPlanRows(q: Queryable): Promise<PlanRow[]> {
  return bookingPlanRows(q, "b.state IN ('scheduled', 'held')", []);
}

/**
 * The scheduled bookings that can change when a booking of this VM starts: those of its availability set or scale
 * set, and those of the VMs in its groups (for a booking's early warning; the claim sees everything).
 */
// The related VMs first, each way through its index (the VM, its placement's VMs, its groups' members), then their
// scheduled bookings through the active-booking index: an OR over the three scanned every scheduled booking.
export function relatedPlanRows(q: Queryable, virtualMachineId: string): Promise<PlanRow[]> {
  return bookingPlanRows(q, `b.state = 'scheduled' AND b.virtual_machine_id IN (
    SELECT $1::uuid
    UNION SELECT p.id FROM virtual_machines t JOIN virtual_machines p ON p.placement_key = t.placement_key WHERE t.id = $1
    UNION SELECT o.virtual_machine_id FROM maintenance_group_members a
      JOIN maintenance_group_members o ON o.group_name = a.group_name WHERE a.virtual_machine_id = $1)`, [virtualMachineId]);
}

/** VMs as the planner would see a booking of them (for hypothetical bookings); `id` is the VM's. */
export async function vmPlanRows(q: Queryable, virtualMachineIds: string[]): Promise<PlanRow[]> {
  if (virtualMachineIds.length === 0) return [];
  const { rows } = await q.query<PlanRowSql>(
    `SELECT v.id, NULL::timestamptz AS start_at, 'hypothetical' AS state, ${PLAN_ROW_SQL}
     FROM virtual_machines v LEFT JOIN maintenance_statuses m ON m.virtual_machine_id = v.id WHERE v.id = ANY($1::uuid[])`,
    [virtualMachineIds],
  );
  return rows.map(planRow);
}

/**
 * The bookings in flight (running) in these placements or groups — all the rules look at — since each was
 * admitted (its first attempt, else its start time).
 */
export async function inFlight(q: Queryable, placements: string[], groups: string[]): Promise<InFlight[]> {
  if (placements.length === 0 && groups.length === 0) return [];
  const { rows } = await q.query<{ id: string; placement: string | null; ud: number | null; groups: string[]; started_at: Date }>(
    `SELECT b.id, ${PLACEMENT_SQL} AS placement, v.platform_update_domain AS ud, ${GROUPS_SQL} AS groups,
       coalesce((SELECT min(a.started_at) FROM execution_attempts a WHERE a.booking_id = b.id), b.start_at) AS started_at
     FROM bookings b JOIN virtual_machines v ON v.id = b.virtual_machine_id
     WHERE b.state = 'running' AND (${PLACEMENT_SQL} = ANY($1::text[])
       OR EXISTS (SELECT 1 FROM maintenance_group_members gm WHERE gm.virtual_machine_id = v.id AND gm.group_name = ANY($2::text[])))`,
    [placements, groups],
  );
  return rows.map((r) => ({ id: r.id, placement: r.placement, updateDomain: r.ud, groups: r.groups, startedAt: r.started_at }));
}

/** When the last operation in each update domain of these placements ended (bookings that ran, last 7 days). */
export async function operationEnds(q: Queryable, placements: string[]): Promise<OperationEnd[]> {
  if (placements.length === 0) return [];
  const { rows } = await q.query<{ placement: string; ud: number | null; ended_at: Date }>(
    `SELECT ${PLACEMENT_SQL} AS placement, v.platform_update_domain AS ud, max(b.finished_at) AS ended_at
     FROM virtual_machines v JOIN bookings b ON b.virtual_machine_id = v.id
     WHERE ${PLACEMENT_SQL} = ANY($1::text[]) AND b.state IN ('completed', 'failed', 'skipped') AND b.finished_at > now() - interval '7 days'
     GROUP BY 1, 2`,
    [placements],
  );
  return rows.map((r) => ({ placement: r.placement, updateDomain: r.ud, endedAt: r.ended_at }));
}

/** These maintenance groups with their policy, member count and the failed or skipped outcomes since resumed. */
export async function groupStates(q: Queryable, names: string[]): Promise<Map<string, GroupState>> {
  if (names.length === 0) return new Map();
  const { rows } = await q.query<{ name: string; policy: GroupPolicyInput; members: number; errors: number }>(
    `SELECT g.name, g.policy,
       (SELECT count(*)::int FROM maintenance_group_members gm WHERE gm.group_name = g.name) AS members,
       (SELECT count(*)::int FROM maintenance_group_members gm JOIN bookings b ON b.virtual_machine_id = gm.virtual_machine_id
        WHERE gm.group_name = g.name AND b.state IN ('failed', 'skipped') AND b.finished_at > g.resumed_at) AS errors
     FROM maintenance_groups g WHERE g.name = ANY($1::text[])`,
    [names],
  );
  return new Map(rows.map((r) => [r.name, { name: r.name, policy: parseGroupPolicy(r.policy, r.name), members: r.members, errors: r.errors }]));
}

/** Start times of the active bookings of each of these groups (for `after`). */
export async function activeStarts(q: Queryable, groups: string[]): Promise<Map<string, Date[]>> {
  if (groups.length === 0) return new Map();
  const { rows } = await q.query<{ group_name: string; starts: Date[] }>(
    `SELECT gm.group_name, array_agg(b.start_at ORDER BY b.start_at) AS starts
     FROM maintenance_group_members gm JOIN bookings b ON b.virtual_machine_id = gm.virtual_machine_id
     WHERE gm.group_name = ANY($1::text[]) AND b.state IN ('scheduled', 'held', 'running') GROUP BY gm.group_name`,
    [groups],
  );
  return new Map(rows.map((r) => [r.group_name, r.starts]));
}

/** How long performMaintenance took lately (median of the last 100 successful attempts), or null with none yet. */
export async function recentOperationMs(q: Queryable): Promise<number | null> {
  const { rows } = await q.query<{ ms: number | null }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS ms FROM (
       SELECT extract(epoch FROM (finished_at - started_at)) * 1000 AS d FROM execution_attempts
       WHERE outcome = 'succeeded' AND operation_id IS NOT NULL AND finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 100) recent`,
  );
  return rows[0]?.ms ?? null;
}

/** The scheduled bookings of these groups (the claim holds them when a group is past its error budget). */
export async function scheduledInGroups(q: Queryable, groups: string[]): Promise<{ id: string; version: number }[]> {
  if (groups.length === 0) return [];
  const { rows } = await q.query<{ id: string; version: number }>(
    `SELECT DISTINCT b.id, b.version FROM bookings b JOIN maintenance_group_members gm ON gm.virtual_machine_id = b.virtual_machine_id
     WHERE gm.group_name = ANY($1::text[]) AND b.state = 'scheduled'`,
    [groups],
  );
  return rows;
}
