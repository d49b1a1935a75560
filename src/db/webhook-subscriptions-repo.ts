// Webhook subscriptions in SQL. Creation and deletion take the fan-out lock exclusively (see
// webhook-deliveries-repo.ts): a subscription's `created_at` is then on the right side of every fan-out.
import type { Scope } from "../domain/access.js";
import type { Queryable } from "./leases-repo.js";

export interface WebhookSubscriptionRow {
  id: string;
  url: string;
  eventTypes: string[];
  filterSubscriptionId: string | null;
  filterResourceGroup: string | null;
  description: string | null;
  ownerPrincipalId: string;
  ownerActor: string;
  ownerScope: Scope;
  state: "active" | "disabled";
  stateReason: string | null;
  failingSince: Date | null;
  /** When the secret before the last rotation stops signing; null when none signs alongside. */
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id, url, event_types AS "eventTypes", filter_subscription_id AS "filterSubscriptionId",
  filter_resource_group AS "filterResourceGroup", description, owner_principal_id AS "ownerPrincipalId",
  owner_actor AS "ownerActor", owner_scope AS "ownerScope", state, state_reason AS "stateReason",
  failing_since AS "failingSince",
  CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END AS "previousSecretExpiresAt",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Fan-out and creation serialise on this advisory lock (shared for fan-out, exclusive for creation). */
export const FAN_OUT_LOCK = 72_707_411;

export type NewWebhookSubscription = Pick<
  WebhookSubscriptionRow,
  "id" | "url" | "eventTypes" | "filterSubscriptionId" | "filterResourceGroup" | "description" | "ownerPrincipalId" | "ownerActor" | "ownerScope"
> & {
  /** Sealed (webhook-secrets.ts). */
  secret: string;
};

/** Call in a transaction: holds the fan-out lock until commit, so `created_at` (taken after it) is exact. */
export async function insertSubscription(q: Queryable, s: NewWebhookSubscription): Promise<WebhookSubscriptionRow> {
  await q.query(`SELECT pg_advisory_xact_lock($1)`, [FAN_OUT_LOCK]);
  const { rows } = await q.query<WebhookSubscriptionRow>(
    `INSERT INTO webhook_subscriptions (id, url, event_types, filter_subscription_id, filter_resource_group, description,
       owner_principal_id, owner_actor, owner_scope, secret, created_at, updated_at)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9::jsonb, $10, clock_timestamp(), clock_timestamp()) RETURNING ${COLUMNS}`,
    [s.id, s.url, JSON.stringify(s.eventTypes), s.filterSubscriptionId, s.filterResourceGroup, s.description, s.ownerPrincipalId, s.ownerActor,
      s.ownerScope === null ? null : JSON.stringify(s.ownerScope), s.secret],
  );
  return rows[0];
}

export async function findSubscription(q: Queryable, id: string): Promise<WebhookSubscriptionRow | null> {
  const { rows } = await q.query<WebhookSubscriptionRow>(`SELECT ${COLUMNS} FROM webhook_subscriptions WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export async function listSubscriptions(q: Queryable, limit: number, afterId: string | null): Promise<WebhookSubscriptionRow[]> {
  const { rows } = await q.query<WebhookSubscriptionRow>(
    `SELECT ${COLUMNS} FROM webhook_subscriptions WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
    [afterId, limit],
  );
  return rows;
}

/** Deletes it with its deliveries; null when there is none. Call in a transaction (takes the fan-out lock). */
export async function deleteSubscription(q: Queryable, id: string): Promise<WebhookSubscriptionRow | null> {
  await q.query(`SELECT pg_advisory_xact_lock($1)`, [FAN_OUT_LOCK]);
  const { rows } = await q.query<WebhookSubscriptionRow>(`DELETE FROM webhook_subscriptions WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
  return rows[0] ?? null;
}

/** The current secret keeps signing until `overlapMs` from now, beside the new one. */
export async function rotateSecret(q: Queryable, id: string, sealed: string, overlapMs: number): Promise<WebhookSubscriptionRow | null> {
  const { rows } = await q.query<WebhookSubscriptionRow>(
    `UPDATE webhook_subscriptions SET previous_secret = secret, previous_secret_expires_at = now() + $3 * interval '1 millisecond',
       secret = $2, updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, sealed, overlapMs],
  );
  return rows[0] ?? null;
}

/** Back to `active` after it was disabled; the failure clock starts again. */
export async function enableSubscription(q: Queryable, id: string): Promise<WebhookSubscriptionRow | null> {
  const { rows } = await q.query<WebhookSubscriptionRow>(
    `UPDATE webhook_subscriptions SET state = 'active', state_reason = NULL, failing_since = NULL, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  return rows[0] ?? null;
}

/** Disables an active subscription; null when it was not active (another replica got there first). */
export async function disableSubscription(q: Queryable, id: string, reason: string): Promise<WebhookSubscriptionRow | null> {
  const { rows } = await q.query<WebhookSubscriptionRow>(
    `UPDATE webhook_subscriptions SET state = 'disabled', state_reason = $2, updated_at = now() WHERE id = $1 AND state = 'active' RETURNING ${COLUMNS}`,
    [id, reason],
  );
  return rows[0] ?? null;
}

/** What the fan-out needs of every active subscription. */
export async function activeSubscriptions(q: Queryable): Promise<WebhookSubscriptionRow[]> {
  const { rows } = await q.query<WebhookSubscriptionRow>(`SELECT ${COLUMNS} FROM webhook_subscriptions WHERE state = 'active'`);
  return rows;
}

/** A failed attempt: starts the subscription's failure clock if it is not running; returns it and the database's now. */
export async function markFailing(q: Queryable, id: string): Promise<{ failingSince: Date; now: Date } | null> {
  const { rows } = await q.query<{ failingSince: Date; now: Date }>(
    `UPDATE webhook_subscriptions SET failing_since = coalesce(failing_since, now()) WHERE id = $1 RETURNING failing_since AS "failingSince", now() AS now`,
    [id],
  );
  return rows[0] ?? null;
}
