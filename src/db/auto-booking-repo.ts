// Automatic booking in SQL: what the planner reads (the groups, the members to book, the bookings already planned),
// set-based, one statement each whatever the fleet; and what it remembers beside the bookings it writes through the
// one writer (which window each auto booking was made for; the members it found no slot for).
import { parseGroupPolicy, type GroupPolicy, type GroupPolicyInput } from "../domain/planner-policy.js";
import type { AutoBookCandidate, AutoBooking, PlannedBooking, Unplannable } from "../domain/auto-booking.js";
import type { TimeWindow } from "../domain/maintenance.js";
import { VM_FACTS_COLUMNS, VM_FACTS_JOIN, vmFacts, type Queryable, type VmFactsRow } from "./bookings-repo.js";
import { PLACEMENT_SQL } from "./planner-repo.js";

export interface GroupRow {
  name: string;
  policy: GroupPolicy;
  members: number;
}

/** Every maintenance group with its parsed policy and member count (a VM's other groups' limits apply too). */
export async function allGroups(q: Queryable): Promise<GroupRow[]> {
  const { rows } = await q.query<{ name: string; policy: GroupPolicyInput; members: number }>(
    `SELECT g.name, g.policy, (SELECT count(*)::int FROM maintenance_group_members gm WHERE gm.group_name = g.name) AS members
     FROM maintenance_groups g ORDER BY g.name`,
  );
  return rows.map((r) => ({ name: r.name, policy: parseGroupPolicy(r.policy, r.name), members: r.members }));
}

const GROUPS_OF_VM = `coalesce((SELECT array_agg(gm.group_name ORDER BY gm.group_name) FROM maintenance_group_members gm WHERE gm.virtual_machine_id = v.id), '{}')`;

type CandidateRow = VmFactsRow & { placement: string | null; ud: number | null; groups: string[]; cancelled: { start: string | null; end: string | null }[] };

/**
 * Members of these groups whose maintenance is read and pending with a self-service window that has not ended, that
 * have no active booking and no completed one in that window; with the windows their auto bookings were cancelled for.
 */
export async function autoBookCandidates(q: Queryable, groups: string[], now: Date): Promise<AutoBookCandidate[]> {
  if (groups.length === 0) return [];
  const { rows } = await q.query<CandidateRow>(
    `SELECT ${VM_FACTS_COLUMNS}, ${PLACEMENT_SQL} AS placement, v.platform_update_domain AS ud, ${GROUPS_OF_VM} AS groups,
       coalesce((SELECT json_agg(json_build_object('start', ab.window_start, 'end', ab.window_end))
         FROM auto_bookings ab JOIN bookings c ON c.id = ab.booking_id WHERE ab.virtual_machine_id = v.id AND c.state = 'cancelled'), '[]') AS cancelled
     FROM virtual_machines v ${VM_FACTS_JOIN}
     WHERE v.id IN (SELECT gm.virtual_machine_id FROM maintenance_group_members gm WHERE gm.group_name = ANY($1::text[]))
       AND v.gone_since IS NULL AND v.maintenance_read_at IS NOT NULL
       AND m.self_service_window_end > $2 AND m.last_operation_result_code IS DISTINCT FROM 'MaintenanceCompleted'
       AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.virtual_machine_id = v.id AND b.state IN ('scheduled', 'held', 'running'))
       -- maintained in this window already, though Azure's status has not caught up yet: not again
       AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.virtual_machine_id = v.id AND b.state = 'completed'
         AND b.start_at >= coalesce(m.self_service_window_start, '-infinity') AND b.start_at < m.self_service_window_end)`,
    [groups, now],
  );
  const date = (s: string | null) => (s === null ? null : new Date(s));
  return rows.map((r) => ({
    vm: vmFacts(r), placement: r.placement, updateDomain: r.ud, groups: r.groups,
    cancelledFor: r.cancelled.map((w): TimeWindow => ({ start: date(w.start), end: date(w.end) })),
  }));
}

/**
 * The active bookings in these placements or groups, each as the [start, end) it is expected to take: a running one
 * from its first attempt, a scheduled one from its deferral (else its time), for `operationMs`.
 */
export async function plannedBookings(q: Queryable, placements: string[], groups: string[], operationMs: number): Promise<PlannedBooking[]> {
  if (placements.length === 0 && groups.length === 0) return [];
  const { rows } = await q.query<{ vm_id: string; start: Date; placement: string | null; ud: number | null; groups: string[] }>(
    `SELECT b.virtual_machine_id AS vm_id, ${PLACEMENT_SQL} AS placement, v.platform_update_domain AS ud, ${GROUPS_OF_VM} AS groups,
       CASE WHEN b.state = 'running' THEN coalesce((SELECT min(a.started_at) FROM execution_attempts a WHERE a.booking_id = b.id), b.start_at)
         ELSE greatest(b.start_at, coalesce(b.deferred_until, b.start_at)) END AS start
     FROM bookings b JOIN virtual_machines v ON v.id = b.virtual_machine_id
     WHERE b.state IN ('scheduled', 'held', 'running') AND (${PLACEMENT_SQL} = ANY($1::text[])
       OR EXISTS (SELECT 1 FROM maintenance_group_members gm WHERE gm.virtual_machine_id = v.id AND gm.group_name = ANY($2::text[])))`,
    [placements, groups],
  );
  return rows.map((r) => ({
    virtualMachineId: r.vm_id, start: r.start, end: new Date(r.start.getTime() + operationMs), placement: r.placement, updateDomain: r.ud, groups: r.groups,
  }));
}

/** Remembers which self-service window each auto booking was made for. */
export async function insertAutoBookings(q: Queryable, written: { bookingId: string; booking: AutoBooking }[]): Promise<void> {
  if (written.length === 0) return;
  await q.query(
    `INSERT INTO auto_bookings (booking_id, virtual_machine_id, group_name, window_start, window_end)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(booking_id uuid, virtual_machine_id uuid, group_name text, window_start timestamptz, window_end timestamptz)`,
    [JSON.stringify(written.map(({ bookingId, booking: b }) => ({
      booking_id: bookingId, virtual_machine_id: b.virtualMachineId, group_name: b.group,
      window_start: b.selfServiceWindow.start?.toISOString() ?? null, window_end: b.selfServiceWindow.end?.toISOString() ?? null,
    })))],
  );
}

/** Replaces the unplannable members of these groups. */
export async function replaceUnplannable(q: Queryable, groups: string[], unplannable: Unplannable[]): Promise<void> {
  if (groups.length === 0) return;
  await q.query(`DELETE FROM auto_booking_unplannable WHERE group_name = ANY($1::text[])`, [groups]);
  const rows = unplannable.flatMap((u) => u.groups.filter((g) => groups.includes(g)).map((g) => ({ group_name: g, virtual_machine_id: u.virtualMachineId, reason: u.reason, deadline: u.deadline?.toISOString() ?? null })));
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO auto_booking_unplannable (group_name, virtual_machine_id, reason, deadline)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(group_name text, virtual_machine_id uuid, reason text, deadline timestamptz)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
}
