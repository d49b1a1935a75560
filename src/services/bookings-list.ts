// Listing bookings with keyset pagination on (startAt, id).
import type pg from "pg";
import type { Scope } from "../domain/access.js";
import { decodeCursor, toPage, type Page } from "../domain/cursor.js";
import { DomainError } from "../domain/errors.js";
import { listBookings } from "../db/bookings-list-repo.js";
import type { BookingRecord } from "../db/bookings-repo.js";

export interface BookingListQuery {
  state?: string[];
  virtualMachineId?: string;
  subscriptionId?: string;
  startFrom?: string;
  startTo?: string;
}

export async function listBookingsPage(pool: pg.Pool, q: BookingListQuery, limit: number, cursor: string | undefined, scope: Scope = null): Promise<Page<BookingRecord>> {
  const after = cursor ? decodeCursor(cursor, ["t", "id"]) : null;
  if (after && (Number.isNaN(Date.parse(after.t)) || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(after.id))) {
    throw new DomainError("invalid-cursor", "The cursor is not one this service issued. Start again without `cursor`.");
  }
  const filters = {
    ...q,
    // The schema checked both are RFC 3339 with an offset.
    startFrom: q.startFrom ? new Date(q.startFrom) : undefined,
    startTo: q.startTo ? new Date(q.startTo) : undefined,
    scope,
  };
  const rows = await listBookings(pool, filters, limit + 1, after ? { startAt: new Date(after.t), id: after.id } : null);
  return toPage(rows, limit, (last) => ({ t: last.startAt.toISOString(), id: last.id }));
}
