// Maintenance groups in SQL: the definitions, their members (re-evaluated after each sync and when a group
// changes), and the figures GET shows. Writes run in the caller's transaction with their audit event.
import type { GroupPolicyInput } from "../domain/planner-policy.js";
import type { SelectableVm, VmSelector } from "../domain/vm-selector.js";
import type { Queryable } from "./leases-repo.js";

export interface MaintenanceGroupRow {
  name: string;
  description: string | null;
  selector: VmSelector;
  policy: GroupPolicyInput;
  resumedAt: Date;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A member auto-booking found no slot for before its deadline (src/domain/auto-booking.ts). */
export interface UnplannableMember {
  virtualMachineId: string;
  reason: string;
  deadline: Date | null;
}

export interface GroupFigures {
  unplannable: UnplannableMember[];
  members: number;
  inFlight: number;
  deferred: number;
  held: number;
  errorsSinceResume: number;
}

export type MaintenanceGroupRecord = MaintenanceGroupRow & GroupFigures;

const COLUMNS = `g.name, g.description, g.selector, g.policy, g.resumed_at AS "resumedAt", g.created_by AS "createdBy",
  g.created_at AS "createdAt", g.updated_at AS "updatedAt"`;

// Per group: members, and its members' bookings by what the planner is doing with them; the members auto-booking
// found no slot for, unless booked since (by hand).
const FIGURES = `
  coalesce((SELECT json_agg(json_build_object('virtualMachineId', u.virtual_machine_id, 'reason', u.reason, 'deadline', u.deadline) ORDER BY u.deadline, u.virtual_machine_id)
    FROM auto_booking_unplannable u WHERE u.group_name = g.name
      AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.virtual_machine_id = u.virtual_machine_id AND b.state IN ('scheduled', 'held', 'running'))), '[]') AS unplannable,
  (SELECT count(*)::int FROM maintenance_group_members gm WHERE gm.group_name = g.name) AS members,
  (SELECT count(*) FILTER (WHERE b.state = 'running')::int FROM maintenance_group_members gm JOIN bookings b ON b.virtual_machine_id = gm.virtual_machine_id WHERE gm.group_name = g.name) AS "inFlight",
  (SELECT count(*) FILTER (WHERE b.state = 'scheduled' AND b.deferred_until IS NOT NULL)::int FROM maintenance_group_members gm JOIN bookings b ON b.virtual_machine_id = gm.virtual_machine_id WHERE gm.group_name = g.name) AS deferred,
  (SELECT count(*) FILTER (WHERE b.state = 'held')::int FROM maintenance_group_members gm JOIN bookings b ON b.virtual_machine_id = gm.virtual_machine_id WHERE gm.group_name = g.name) AS held,
  (SELECT count(*) FILTER (WHERE b.state IN ('failed', 'skipped') AND b.finished_at > g.resumed_at)::int FROM maintenance_group_members gm JOIN bookings b ON b.virtual_machine_id = gm.virtual_machine_id WHERE gm.group_name = g.name) AS "errorsSinceResume"`;

export async function findGroup(q: Queryable, name: string): Promise<MaintenanceGroupRecord | null> {
  const { rows } = await q.query<MaintenanceGroupRecord>(`SELECT ${COLUMNS}, ${FIGURES} FROM maintenance_groups g WHERE g.name = $1`, [name]);
  return rows[0] ?? null;
}

export async function listGroups(q: Queryable, limit: number, afterName: string | null): Promise<MaintenanceGroupRecord[]> {
  const { rows } = await q.query<MaintenanceGroupRecord>(
    `SELECT ${COLUMNS}, ${FIGURES} FROM maintenance_groups g WHERE ($2::text IS NULL OR g.name > $2) ORDER BY g.name LIMIT $1`,
    [limit, afterName],
  );
  return rows;
}

/** The `after` of every group, for checking that a new one does not close a circle. */
export async function groupAfters(q: Queryable): Promise<Map<string, string[]>> {
  const { rows } = await q.query<{ name: string; after: string[] | null }>(`SELECT name, policy->'after' AS after FROM maintenance_groups`);
  return new Map(rows.map((r) => [r.name, r.after ?? []]));
}

/** Creates or replaces; `created` tells which. The row is locked for the rest of the transaction. */
export async function putGroup(q: Queryable, g: { name: string; description: string | null; selector: VmSelector; policy: GroupPolicyInput; actor: string }): Promise<{ before: MaintenanceGroupRow | null; created: boolean }> {
  const { rows: before } = await q.query<MaintenanceGroupRow>(`SELECT ${COLUMNS} FROM maintenance_groups g WHERE g.name = $1 FOR UPDATE`, [g.name]);
  await q.query(
    `INSERT INTO maintenance_groups (name, description, selector, policy, created_by) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5)
     ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, selector = EXCLUDED.selector, policy = EXCLUDED.policy, updated_at = now()`,
    [g.name, g.description, JSON.stringify(g.selector), JSON.stringify(g.policy), g.actor],
  );
  return { before: before[0] ?? null, created: before.length === 0 };
}

export async function deleteGroup(q: Queryable, name: string): Promise<MaintenanceGroupRow | null> {
  const { rows } = await q.query<MaintenanceGroupRow>(`DELETE FROM maintenance_groups g WHERE g.name = $1 RETURNING ${COLUMNS}`, [name]);
  return rows[0] ?? null;
}

/** Groups that name `name` in their `after` (a group others wait for cannot go away). */
export async function groupsAfter(q: Queryable, name: string): Promise<string[]> {
  const { rows } = await q.query<{ name: string }>(`SELECT name FROM maintenance_groups WHERE policy->'after' ? $1 ORDER BY name`, [name]);
  return rows.map((r) => r.name);
}

/** Groups whose policy books into maintenance window `name` (a window they name cannot go away). */
export async function groupsBookingInto(q: Queryable, name: string): Promise<string[]> {
  const { rows } = await q.query<{ name: string }>(`SELECT name FROM maintenance_groups WHERE policy->>'maintenanceWindow' = $1 ORDER BY name`, [name]);
  return rows.map((r) => r.name);
}

/** Starts counting errors afresh (resume). */
export async function markResumed(q: Queryable, name: string): Promise<void> {
  await q.query(`UPDATE maintenance_groups SET resumed_at = now(), updated_at = now() WHERE name = $1`, [name]);
}

/** The held bookings of a group's members, with their versions (resume fences on them). */
export async function heldInGroup(q: Queryable, name: string): Promise<{ id: string; version: number }[]> {
  const { rows } = await q.query<{ id: string; version: number }>(
    `SELECT b.id, b.version FROM bookings b JOIN maintenance_group_members gm ON gm.virtual_machine_id = b.virtual_machine_id
     WHERE gm.group_name = $1 AND b.state = 'held' ORDER BY b.start_at, b.id`,
    [name],
  );
  return rows;
}

/** The selectors of these groups (all, when null). */
export async function groupSelectors(q: Queryable, names: string[] | null): Promise<{ name: string; selector: VmSelector }[]> {
  const { rows } = await q.query<{ name: string; selector: VmSelector }>(
    `SELECT name, selector FROM maintenance_groups WHERE $1::text[] IS NULL OR name = ANY($1::text[])`,
    [names],
  );
  return rows;
}

/** The VMs Azure still lists, as selectors see them. */
export async function selectableVms(q: Queryable): Promise<(SelectableVm & { id: string })[]> {
  const { rows } = await q.query<SelectableVm & { id: string }>(
    `SELECT id, subscription_id AS "subscriptionId", resource_group AS "resourceGroup", tags, availability_set AS "availabilitySet", scale_set_name AS "scaleSetName"
     FROM virtual_machines WHERE gone_since IS NULL`,
  );
  return rows;
}

/** Replaces the members of these groups. */
export async function replaceMembers(q: Queryable, groups: string[], members: { group: string; vm: string }[]): Promise<void> {
  if (groups.length === 0) return;
  await q.query(`DELETE FROM maintenance_group_members WHERE group_name = ANY($1::text[])`, [groups]);
  if (members.length === 0) return;
  await q.query(
    `INSERT INTO maintenance_group_members (group_name, virtual_machine_id) SELECT * FROM unnest($1::text[], $2::uuid[])`,
    [members.map((m) => m.group), members.map((m) => m.vm)],
  );
}
