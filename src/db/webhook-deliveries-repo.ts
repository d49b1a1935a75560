// Webhook deliveries in SQL (house style 9): one short statement per function, claims with FOR UPDATE SKIP
// LOCKED and a lease on the database clock, every write after the claim fenced on `lease_owner`.
//
// Fan-out is lazy: the worker locks outbox events not yet fanned out (SKIP LOCKED, so replicas take different
// ones), inserts their deliveries and marks them, in one transaction — a crash in between rolls all of it back.
// It holds FAN_OUT_LOCK shared while it does; creating a subscription holds it exclusively, so a subscription
// exists for a fan-out exactly when its `created_at` precedes it, and `time >= created_at` decides the same
// whichever replica fans out and when.
import type { Queryable } from "./leases-repo.js";
import { FAN_OUT_LOCK } from "./webhook-subscriptions-repo.js";

export interface EventToFanOut {
  id: string;
  type: string;
  subscriptionId: string | null;
  resourceGroup: string | null;
  time: Date;
}

/** In a transaction: takes the fan-out lock (shared) and locks up to `limit` events not yet fanned out, oldest first. */
export async function lockEventsToFanOut(q: Queryable, limit: number): Promise<EventToFanOut[]> {
  await q.query(`SELECT pg_advisory_xact_lock_shared($1)`, [FAN_OUT_LOCK]);
  const { rows } = await q.query<EventToFanOut>(
    `SELECT id, type, subscription_id AS "subscriptionId", resource_group AS "resourceGroup", time FROM outbox_events
     WHERE fanned_out_at IS NULL ORDER BY time LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

/** One delivery per (subscription, event), due now; an existing one is left as it is. */
export async function insertDeliveries(q: Queryable, pairs: { webhookSubscriptionId: string; eventId: string }[]): Promise<void> {
  if (pairs.length === 0) return;
  await q.query(
    `INSERT INTO webhook_deliveries (id, webhook_subscription_id, event_id, next_attempt_at)
     SELECT gen_random_uuid(), s, e, now() FROM unnest($1::uuid[], $2::uuid[]) AS p(s, e)
     ON CONFLICT (webhook_subscription_id, event_id) DO NOTHING`,
    [pairs.map((p) => p.webhookSubscriptionId), pairs.map((p) => p.eventId)],
  );
}

export async function markFannedOut(q: Queryable, eventIds: string[]): Promise<void> {
  await q.query(`UPDATE outbox_events SET fanned_out_at = now() WHERE id = ANY($1::uuid[])`, [eventIds]);
}

export interface ClaimedDelivery {
  id: string;
  /** This attempt's number (counted at the claim, so an attempt cut short by a crash counts too). */
  attempts: number;
  webhookSubscriptionId: string;
  url: string;
  /** Sealed; `previousSecret` only while it still signs after a rotation. */
  secret: string;
  previousSecret: string | null;
  event: { id: string; type: string; source: string; subject: string; sequence: string; time: Date; data: unknown };
}

// Due, pending, not leased by anyone alive, and its subscription active (a disabled one's deliveries wait).
const CLAIM = `
WITH due AS (
  SELECT d.id FROM webhook_deliveries d
  WHERE d.state = 'pending' AND d.next_attempt_at <= now() AND (d.lease_expires_at IS NULL OR d.lease_expires_at < now())
    AND EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.id = d.webhook_subscription_id AND s.state = 'active')
  ORDER BY d.next_attempt_at
  LIMIT $3
  FOR UPDATE OF d SKIP LOCKED
)
UPDATE webhook_deliveries d
SET lease_owner = $1, lease_expires_at = now() + $2 * interval '1 millisecond', attempts = d.attempts + 1, last_attempt_at = now()
FROM due, webhook_subscriptions s, outbox_events e
WHERE d.id = due.id AND s.id = d.webhook_subscription_id AND e.id = d.event_id
RETURNING d.id, d.attempts, d.webhook_subscription_id AS "webhookSubscriptionId", s.url, s.secret,
  CASE WHEN s.previous_secret_expires_at > now() THEN s.previous_secret END AS "previousSecret",
  json_build_object('id', e.id, 'type', e.type, 'source', e.source, 'subject', e.subject, 'sequence', e.sequence::text,
    'time', e.time, 'data', e.data) AS event`;

export async function claimDeliveries(q: Queryable, owner: string, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
  const { rows } = await q.query<ClaimedDelivery & { event: { time: string } }>(CLAIM, [owner, leaseMs, limit]);
  return rows.map((r) => ({ ...r, event: { ...r.event, time: new Date(r.event.time) } }));
}

/** A 2xx: the delivery is done, and its subscription is no longer failing. */
export async function recordDelivered(q: Queryable, id: string, owner: string, status: number): Promise<void> {
  await q.query(
    `WITH d AS (
       UPDATE webhook_deliveries SET state = 'delivered', delivered_at = now(), last_status = $3, last_error = NULL,
         next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL
       WHERE id = $1 AND lease_owner = $2 RETURNING webhook_subscription_id)
     UPDATE webhook_subscriptions s SET failing_since = NULL FROM d WHERE s.id = d.webhook_subscription_id AND s.failing_since IS NOT NULL`,
    [id, owner, status],
  );
}

/** A failed attempt: due again at `nextAttemptAt`, or failed for good when it is null. */
export async function recordFailed(q: Queryable, id: string, owner: string, nextAttemptAt: Date | null, status: number | null, error: string): Promise<void> {
  await q.query(
    `UPDATE webhook_deliveries SET state = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'pending' END, next_attempt_at = $3,
       last_status = $4, last_error = $5, lease_owner = NULL, lease_expires_at = NULL
     WHERE id = $1 AND lease_owner = $2`,
    [id, owner, nextAttemptAt, status, error],
  );
}

/** Graceful stop: gives back what this owner still holds (due again at once). */
export async function releaseDeliveries(q: Queryable, owner: string): Promise<number> {
  const { rowCount } = await q.query(`UPDATE webhook_deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = $1`, [owner]);
  return rowCount ?? 0;
}

export interface DeliveryRow {
  id: string;
  eventId: string;
  eventType: string;
  subject: string;
  sequence: string;
  eventTime: Date;
  state: "pending" | "delivered" | "failed";
  attempts: number;
  lastAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

const DELIVERY_COLUMNS = `d.id, d.event_id AS "eventId", e.type AS "eventType", e.subject, e.sequence::text AS sequence, e.time AS "eventTime",
  d.state, d.attempts, d.last_attempt_at AS "lastAttemptAt", d.last_status AS "lastStatus", d.last_error AS "lastError",
  CASE WHEN d.state = 'pending' THEN d.next_attempt_at END AS "nextAttemptAt", d.delivered_at AS "deliveredAt", d.created_at AS "createdAt"`;

/** Newest first; `before` is the last row of the previous page. */
export async function listDeliveries(q: Queryable, webhookSubscriptionId: string, limit: number, before: { createdAt: Date; id: string } | null): Promise<DeliveryRow[]> {
  const { rows } = await q.query<DeliveryRow>(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN outbox_events e ON e.id = d.event_id
     WHERE d.webhook_subscription_id = $1 AND ($2::timestamptz IS NULL OR (d.created_at, d.id) < ($2::timestamptz, $3::uuid))
     ORDER BY d.created_at DESC, d.id DESC LIMIT $4`,
    [webhookSubscriptionId, before?.createdAt ?? null, before?.id ?? null, limit],
  );
  return rows;
}

export async function findDelivery(q: Queryable, webhookSubscriptionId: string, id: string): Promise<(DeliveryRow & { leased: boolean }) | null> {
  const { rows } = await q.query<DeliveryRow & { leased: boolean }>(
    `SELECT ${DELIVERY_COLUMNS}, coalesce(d.lease_expires_at > now(), false) AS leased FROM webhook_deliveries d JOIN outbox_events e ON e.id = d.event_id
     WHERE d.webhook_subscription_id = $1 AND d.id = $2`,
    [webhookSubscriptionId, id],
  );
  return rows[0] ?? null;
}

/** Due again now, with a fresh retry schedule; null when it is being attempted right now (or does not exist). */
export async function scheduleRedelivery(q: Queryable, webhookSubscriptionId: string, id: string): Promise<DeliveryRow | null> {
  const { rows } = await q.query<DeliveryRow>(
    `WITH d AS (
       UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(), delivered_at = NULL
       WHERE webhook_subscription_id = $1 AND id = $2 AND (lease_expires_at IS NULL OR lease_expires_at < now()) RETURNING *)
     SELECT ${DELIVERY_COLUMNS} FROM d JOIN outbox_events e ON e.id = d.event_id`,
    [webhookSubscriptionId, id],
  );
  return rows[0] ?? null;
}

export interface OutboxBacklog {
  /** Events not yet turned into deliveries. */
  notFannedOut: number;
  /** Deliveries waiting for an attempt (of active subscriptions). */
  pendingDeliveries: number;
  /** Age of the oldest event not fanned out or with a pending delivery; 0 when there is none. */
  oldestUndeliveredSeconds: number;
}

/** Cheap: both sides read partial indexes that hold only undelivered work. */
export async function outboxBacklog(q: Queryable): Promise<OutboxBacklog> {
  const { rows } = await q.query<{ a: number; b: number; oldest: number | null }>(
    `WITH pending AS (
       SELECT d.event_id FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.webhook_subscription_id
       WHERE d.state = 'pending' AND s.state = 'active')
     SELECT (SELECT count(*) FROM outbox_events WHERE fanned_out_at IS NULL)::int AS a,
       (SELECT count(*) FROM pending)::int AS b,
       extract(epoch FROM now() - least(
         (SELECT min(time) FROM outbox_events WHERE fanned_out_at IS NULL),
         (SELECT min(e.time) FROM pending p JOIN outbox_events e ON e.id = p.event_id)))::float8 AS oldest`,
  );
  const r = rows[0];
  return { notFannedOut: r.a, pendingDeliveries: r.b, oldestUndeliveredSeconds: Math.max(0, r.oldest ?? 0) };
}
