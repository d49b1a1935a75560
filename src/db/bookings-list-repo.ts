// The bookings list: filters and keyset pagination on (start_at, id) (index bookings_start_at_id_idx).
import type { Scope } from "../domain/access.js";
import { subscriptionIdOf } from "../domain/arm-names.js";
import { BOOKING_COLUMNS, withAttempts, type BookingRecord, type BookingRow, type Queryable } from "./bookings-repo.js";

export interface BookingFilters {
  state?: string[];
  virtualMachineId?: string;
  subscriptionId?: string;
  /** Inclusive. */
  startFrom?: Date;
  /** Exclusive. */
  startTo?: Date;
  /** The caller's scope assignments; null: unrestricted. */
  scope?: Scope;
}

/** Bookings ordered by (startAt, id); `after` is the (startAt, id) of the last row of the previous page. */
export async function listBookings(db: Queryable, f: BookingFilters, limit: number, after: { startAt: Date; id: string } | null): Promise<BookingRecord[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (f.state?.length) where.push(`b.state = ANY(${param(f.state)}::text[])`);
  if (f.virtualMachineId) where.push(`b.virtual_machine_id = ${param(f.virtualMachineId)}::uuid`);
  // Stored subscription ids are lower-case GUIDs; one that is no GUID under ARM's comparison matches nothing.
  if (f.subscriptionId) where.push(`v.subscription_id = ${param(subscriptionIdOf(f.subscriptionId))}`);
  if (f.startFrom) where.push(`b.start_at >= ${param(f.startFrom)}`);
  if (f.startTo) where.push(`b.start_at < ${param(f.startTo)}`);
  if (f.scope) {
    const [subs, groups] = [f.scope.map((e) => e.subscriptionId), f.scope.map((e) => e.resourceGroupKey)];
    where.push(`EXISTS (SELECT 1 FROM unnest(${param(subs)}::text[], ${param(groups)}::text[]) AS s(sub, rg)
      WHERE v.subscription_id = s.sub AND (s.rg IS NULL OR v.resource_group_key = s.rg))`);
  }
  if (after) where.push(`(b.start_at, b.id) > (${param(after.startAt)}, ${param(after.id)}::uuid)`);
  const join = f.subscriptionId || f.scope ? "JOIN virtual_machines v ON v.id = b.virtual_machine_id" : "";
  const { rows } = await db.query<BookingRow>(
    `SELECT ${BOOKING_COLUMNS} FROM bookings b ${join} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY b.start_at, b.id LIMIT ${param(limit)}`,
    params,
  );
  return withAttempts(db, rows);
}
