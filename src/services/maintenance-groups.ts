// Maintenance groups: Admin use cases (put, read, list, delete, resume) and keeping members current. Each write
// and its audit event are one transaction; resume moves the group's held bookings back to scheduled through the
// one writer of bookings.
import type pg from "pg";
import type { AuditContext } from "../db/audit-repo.js";
import { appendAuditEvent } from "../db/audit-repo.js";
import {
  deleteGroup, findGroup, groupAfters, groupSelectors, groupsAfter, heldInGroup, listGroups, markResumed, putGroup, replaceMembers, selectableVms,
  type MaintenanceGroupRecord,
} from "../db/maintenance-groups-repo.js";
import { withTransaction } from "../db/transaction.js";
import { cursorCodec, type Page } from "../domain/cursor.js";
import { DomainError } from "../domain/errors.js";
import { findAfterCycle, parseGroupPolicy, type GroupPolicyInput } from "../domain/planner-policy.js";
import { checkSelector, matchesSelector, type VmSelector } from "../domain/vm-selector.js";
import type { Queryable } from "../db/leases-repo.js";
import { getDefinition, MAINTENANCE_WINDOWS } from "../db/calendars-repo.js";
import { autoBookIn, lockForAutoBooking, type AutoBookConfig } from "./auto-booking.js";
import { transitionBookings } from "./booking-transitions.js";

const NAME_CURSOR = cursorCodec({ name: "name" });

export interface MaintenanceGroupInput {
  description?: string | null;
  selector: VmSelector;
  policy?: GroupPolicyInput;
}

const notFound = (name: string) => new DomainError("not-found", `No maintenance group named ${name}.`);

/** Recomputes which VMs the groups (all, when `names` is null) hold. */
export async function refreshMembers(q: Queryable, names: string[] | null = null): Promise<number> {
  const groups = await groupSelectors(q, names);
  if (groups.length === 0 && names === null) return 0;
  const vms = await selectableVms(q);
  const members = groups.flatMap((g) => vms.filter((vm) => matchesSelector(g.selector, vm)).map((vm) => ({ group: g.name, vm: vm.id })));
  await replaceMembers(q, names ?? groups.map((g) => g.name), members);
  return members.length;
}

/** The SyncDeps.afterSync step: a sync's new or changed VMs join (or leave) groups. */
export function refreshMembersAfterSync(pool: pg.Pool) {
  return async (): Promise<void> => {
    await withTransaction(pool, (client) => refreshMembers(client));
  };
}

export async function getMaintenanceGroup(pool: pg.Pool, name: string): Promise<MaintenanceGroupRecord> {
  const group = await findGroup(pool, name);
  if (!group) throw notFound(name);
  return group;
}

export async function listMaintenanceGroupsPage(pool: pg.Pool, limit: number, cursor: string | undefined): Promise<Page<MaintenanceGroupRecord>> {
  const after = NAME_CURSOR.decode(cursor)?.name ?? null;
  return NAME_CURSOR.page(await listGroups(pool, limit + 1, after), limit, (last) => ({ name: last.name }));
}

/**
 * Creates or replaces the group, refreshes its members and (`autoBook`: the settings, and now) books its members as
 * auto-booking would, all in one transaction; a group that no longer auto-books loses its `unplannable` list.
 */
export async function putMaintenanceGroup(
  pool: pg.Pool, audit: AuditContext, name: string, input: MaintenanceGroupInput, autoBook?: { config: AutoBookConfig; now: Date },
): Promise<{ group: MaintenanceGroupRecord; created: boolean }> {
  const policy = input.policy ?? {};
  const parsed = parseGroupPolicy(policy, name);
  const selector = checkSelector(input.selector);
  return withTransaction(pool, async (client) => {
    if (autoBook) await lockForAutoBooking(client);
    // One writer of groups at a time: the circle check below must see every group's `after` as it will be.
    await client.query("LOCK TABLE maintenance_groups IN SHARE ROW EXCLUSIVE MODE");
    const afters = await groupAfters(client);
    const unknown = parsed.after.find((g) => !afters.has(g));
    if (unknown !== undefined) throw new DomainError("maintenance-group-unknown", `The policy's after names ${unknown}, which is no maintenance group. Create it first.`, { pointer: "/policy/after" });
    afters.set(name, parsed.after);
    const cycle = findAfterCycle(afters, name);
    if (cycle) throw new DomainError("maintenance-group-cycle", `after would make these groups wait for one another for ever: ${cycle.join(" → ")}.`, { pointer: "/policy/after" });
    if (parsed.maintenanceWindow && !(await getDefinition(client, MAINTENANCE_WINDOWS, parsed.maintenanceWindow))) {
      throw new DomainError("maintenance-window-unknown", `The policy's maintenanceWindow names ${parsed.maintenanceWindow}, which is no maintenance window. Create it first (PUT /v1/maintenance-windows/${parsed.maintenanceWindow}).`, { pointer: "/policy/maintenanceWindow" });
    }
    const { before, created } = await putGroup(client, { name, description: input.description ?? null, selector, policy: { ...policy, after: parsed.after }, actor: audit.actor });
    await refreshMembers(client, [name]);
    await appendAuditEvent(client, { ...audit, action: created ? "maintenance-group.created" : "maintenance-group.replaced", targetType: "maintenance-group", targetId: name, before, after: await findGroup(client, name) });
    if (autoBook) await autoBookIn(client, autoBook.config, autoBook.now, [name], audit.requestId);
    const group = (await findGroup(client, name))!;
    return { group, created };
  });
}

export function deleteMaintenanceGroup(pool: pg.Pool, audit: AuditContext, name: string): Promise<void> {
  return withTransaction(pool, async (client) => {
    const waiting = (await groupsAfter(client, name)).filter((g) => g !== name);
    if (waiting.length) throw new DomainError("maintenance-group-cycle", `Maintenance groups ${waiting.join(", ")} run after ${name}; change their policy first.`, { pointer: "/policy/after" });
    const row = await deleteGroup(client, name);
    if (!row) throw notFound(name);
    await appendAuditEvent(client, { ...audit, action: "maintenance-group.deleted", targetType: "maintenance-group", targetId: name, before: row });
  });
}

/** Starts counting errors afresh and moves the group's held bookings back to scheduled. */
export function resumeMaintenanceGroup(pool: pg.Pool, audit: AuditContext, name: string): Promise<MaintenanceGroupRecord> {
  return withTransaction(pool, async (client) => {
    if (!(await findGroup(client, name))) throw notFound(name);
    await markResumed(client, name);
    const held = await heldInGroup(client, name);
    await transitionBookings(client, held.map((b) => ({
      id: b.id, fence: { version: b.version }, to: "scheduled", reason: null, audit: { ...audit, action: "booking.resumed" },
    })));
    const group = (await findGroup(client, name))!;
    await appendAuditEvent(client, { ...audit, action: "maintenance-group.resumed", targetType: "maintenance-group", targetId: name, after: { resumedAt: group.resumedAt, bookingsResumed: held.length } });
    return group;
  });
}
