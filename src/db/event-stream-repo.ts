// The event stream's reads of the outbox, and its numbering. `position` orders events as they became visible
// (migration 20261128160000_event_stream): numberEvents runs one at a time (an advisory lock, taken before the
// statement so that its snapshot sees every earlier numbering) and numbers only committed events, continuing from
// the largest number. So an event numbered later is never smaller than one a reader has already seen, and resuming
// "after position N" misses nothing.
import type pg from "pg";
import type { StoredEvent } from "../domain/events.js";
import type { Queryable } from "./leases-repo.js";
import { withTransaction } from "./transaction.js";

/** NOTIFYed when events got their positions (after the numbering commits). */
export const POSITIONS_CHANNEL = "outbox_positions";
const NUMBERING_LOCK = 0x4d505350;

export interface StreamEvent extends StoredEvent {
  position: number;
  subscriptionId: string | null;
  resourceGroup: string | null;
}

const NUMBER = `
WITH last AS (SELECT coalesce(max(position), 0) AS p FROM outbox_events),
todo AS (
  SELECT id, row_number() OVER (ORDER BY time, subject, sequence) AS n FROM outbox_events
  WHERE position IS NULL ORDER BY time, subject, sequence LIMIT $1
)
UPDATE outbox_events o SET position = last.p + todo.n FROM last, todo WHERE o.id = todo.id`;

/** Numbers up to `limit` committed events that have no position yet; returns how many. */
export async function numberEvents(pool: pg.Pool, limit: number): Promise<number> {
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [NUMBERING_LOCK]);
    const { rowCount } = await client.query(NUMBER, [limit]);
    if (rowCount) await client.query("SELECT pg_notify($1, '')", [POSITIONS_CHANNEL]);
    return rowCount ?? 0;
  });
}

/** Events after `position`, in stream order. */
export async function eventsAfter(q: Queryable, position: number, limit: number): Promise<StreamEvent[]> {
  const { rows } = await q.query(
    `SELECT id, type, source, subject, sequence, time, data, subscription_id AS "subscriptionId",
       resource_group AS "resourceGroup", position::float8 AS position
     FROM outbox_events WHERE position > $1 ORDER BY position LIMIT $2`,
    [position, limit],
  );
  return rows as StreamEvent[];
}

/** The last position given (0: none yet), and how many events follow `after` (counted up to `cap`). */
export async function streamBounds(q: Queryable, after: number, cap: number): Promise<{ last: number; following: number }> {
  const { rows } = await q.query(
    `SELECT (SELECT coalesce(max(position), 0) FROM outbox_events)::float8 AS last,
       (SELECT count(*) FROM (SELECT 1 FROM outbox_events WHERE position > $1 LIMIT $2) f)::int AS following`,
    [after, cap],
  );
  return rows[0] as { last: number; following: number };
}
