// Calendar feeds in SQL. The token itself is never stored: rows are found by the SHA-256 of the token presented.
import type { ScopeEntry } from "../domain/access.js";
import type { Queryable } from "./bookings-repo.js";

export interface CalendarFeedRow {
  id: string;
  principalId: string;
  createdBy: string;
  description: string | null;
  /** The creator's scope when the feed was made; null: unrestricted. */
  scope: ScopeEntry[] | null;
  createdAt: Date;
  lastFetchedAt: Date | null;
}

const COLUMNS = `id, principal_id AS "principalId", created_by AS "createdBy", description, scope, created_at AS "createdAt",
  last_fetched_at AS "lastFetchedAt"`;

export type NewCalendarFeed = Omit<CalendarFeedRow, "createdAt" | "lastFetchedAt"> & { tokenHash: string };

export async function insertFeed(db: Queryable, f: NewCalendarFeed): Promise<CalendarFeedRow> {
  const { rows } = await db.query<CalendarFeedRow>(
    `INSERT INTO calendar_feeds (id, token_hash, principal_id, created_by, description, scope) VALUES ($1, $2, $3, $4, $5, $6::jsonb)
     RETURNING ${COLUMNS}`,
    [f.id, f.tokenHash, f.principalId, f.createdBy, f.description, f.scope === null ? null : JSON.stringify(f.scope)],
  );
  return rows[0];
}

/** `principalId` null: everyone's feeds. In id order, after `afterId`. */
export async function listFeeds(db: Queryable, principalId: string | null, limit: number, afterId: string | null): Promise<CalendarFeedRow[]> {
  const { rows } = await db.query<CalendarFeedRow>(
    `SELECT ${COLUMNS} FROM calendar_feeds WHERE ($1::text IS NULL OR principal_id = $1) AND ($2::uuid IS NULL OR id > $2::uuid)
     ORDER BY id LIMIT $3`,
    [principalId, afterId, limit],
  );
  return rows;
}

/** Deletes the feed if `principalId` owns it (null: whoever does); returns it, or null when there is none to delete. */
export async function deleteFeed(db: Queryable, id: string, principalId: string | null): Promise<CalendarFeedRow | null> {
  const { rows } = await db.query<CalendarFeedRow>(
    `DELETE FROM calendar_feeds WHERE id = $1 AND ($2::text IS NULL OR principal_id = $2) RETURNING ${COLUMNS}`,
    [id, principalId],
  );
  return rows[0] ?? null;
}

/** The feed whose token hashes to `tokenHash`, noting that it was fetched; null when there is none. */
export async function fetchFeed(db: Queryable, tokenHash: string): Promise<CalendarFeedRow | null> {
  const { rows } = await db.query<CalendarFeedRow>(
    `UPDATE calendar_feeds SET last_fetched_at = now() WHERE token_hash = $1 RETURNING ${COLUMNS}`,
    [tokenHash],
  );
  return rows[0] ?? null;
}
