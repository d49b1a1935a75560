// Listing bookings with keyset pagination on (startAt, id).
import type pg from "pg";
import type { Scope } from "../domain/access.js";
import { cursorCodec, type Page } from "../domain/cursor.js";
import { listBookings } from "../db/bookings-list-repo.js";
import type { BookingRecord } from "../db/bookings-repo.js";

export interface BookingListQuery {
  state?: string[];
  virtualMachineId?: string;
  subscriptionId?: string;
  startFrom?: string;
  startTo?: string;
}

const CURSOR = cursorCodec({ t: "timestamp", id: "uuid" });

export async function listBookingsPage(pool: pg.Pool, q: BookingListQuery, limit: number, cursor: string | undefined, scope: Scope = null): Promise<Page<BookingRecord>> {
  const after = CURSOR.decode(cursor);
  const filters = {
    ...q,
    // The schema checked both are RFC 3339 with an offset that Date reads (src/http/validation.ts).
    startFrom: q.startFrom ? new Date(q.startFrom) : undefined,
    startTo: q.startTo ? new Date(q.startTo) : undefined,
    scope,
  };
  const rows = await listBookings(pool, filters, limit + 1, after ? { startAt: after.t, id: after.id } : null);
  return CURSOR.page(rows, limit, (last) => ({ t: last.startAt, id: last.id }));
}
