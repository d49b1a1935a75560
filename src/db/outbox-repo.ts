// The transactional outbox. appendEvents runs in the transaction of the change it describes, so an event exists
// exactly when its change committed. Each subject's events are numbered in commit order: the subject's counter row
// is locked by the first writer until it commits.
import { randomUUID } from "node:crypto";
import { cloudEventType, type EventName } from "../domain/events.js";
import type { Queryable } from "./leases-repo.js";

export interface NewEvent {
  name: EventName;
  /** CloudEvents `source`, e.g. `/v1/bookings`. */
  source: string;
  subject: string;
  data: unknown;
  /** Where the subject lives (for subscription filters and scope); null for events about no VM. */
  subscriptionId: string | null;
  resourceGroup: string | null;
}

const APPEND = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(ord int, id uuid, type text, source text, subject text, data jsonb,
    subscription_id text, resource_group text)
), counts AS (
  SELECT subject, count(*)::bigint AS n FROM input GROUP BY subject
), bumped AS (
  INSERT INTO event_subjects (subject, last_sequence) SELECT subject, n FROM counts
  ON CONFLICT (subject) DO UPDATE SET last_sequence = event_subjects.last_sequence + EXCLUDED.last_sequence
  RETURNING subject, last_sequence
)
INSERT INTO outbox_events (id, type, source, subject, sequence, time, data, subscription_id, resource_group)
SELECT i.id, i.type, i.source, i.subject,
  b.last_sequence - c.n + row_number() OVER (PARTITION BY i.subject ORDER BY i.ord), clock_timestamp(), i.data,
  i.subscription_id, i.resource_group
FROM input i JOIN bumped b USING (subject) JOIN counts c USING (subject)
RETURNING id`;

/** Writes the events in order (one statement, whatever their number); returns their ids. */
export async function appendEvents(q: Queryable, events: NewEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const records = events.map((e, ord) => ({
    ord, id: randomUUID(), type: cloudEventType(e.name), source: e.source, subject: e.subject, data: e.data,
    subscription_id: e.subscriptionId, resource_group: e.resourceGroup,
  }));
  await q.query(APPEND, [JSON.stringify(records)]);
  return records.map((r) => r.id);
}
