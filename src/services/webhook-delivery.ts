// The delivery worker: fans new outbox events out into deliveries, claims due deliveries, sends each one signed,
// and records the outcome (retry, fail, disable the subscription). Several replicas share the work through the
// leases in Postgres (webhook-deliveries-repo.ts); each delivery's id is its `webhook-id`, the same on every retry.
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { cloudEvent } from "../domain/events.js";
import { afterFailure, isDelivered, type WebhookRetryRules } from "../domain/webhook-retry.js";
import { openSecret, signatureHeader } from "../domain/webhook-secrets.js";
import { wantsEvent } from "../domain/webhook-matching.js";
import { appendAuditEvent } from "../db/audit-repo.js";
import { withTransaction } from "../db/transaction.js";
import {
  claimDeliveries, insertDeliveries, lockEventsToFanOut, markFannedOut, recordDelivered, recordFailed, type ClaimedDelivery,
} from "../db/webhook-deliveries-repo.js";
import { activeSubscriptions, disableSubscription, markFailing } from "../db/webhook-subscriptions-repo.js";
import type { MetricsSink } from "../observability/metrics.js";
import type { SendResult, WebhookSender } from "./webhook-sender.js";

export interface DeliveryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DeliveryDeps {
  pool: pg.Pool;
  sender: WebhookSender;
  /** The key that opens the subscriptions' sealed secrets. */
  key: Buffer;
  rules: WebhookRetryRules;
  /** How long a claim holds a delivery: longer than a request may take (WEBHOOK_TIMEOUT + LEASE_DURATION). */
  leaseMs: number;
  owner?: string;
  log?: DeliveryLog;
  metrics?: MetricsSink;
  random?: () => number;
}

export const AUDIT_ACTOR = "system:deliver";

/** Turns up to `limit` outbox events into deliveries, in one transaction; returns how many events it took. */
export function fanOut(pool: pg.Pool, limit: number): Promise<number> {
  return withTransaction(pool, async (client) => {
    const events = await lockEventsToFanOut(client, limit);
    if (events.length === 0) return 0;
    const subscriptions = await activeSubscriptions(client);
    const pairs = events.flatMap((e) => subscriptions.filter((s) => wantsEvent(s, e)).map((s) => ({ webhookSubscriptionId: s.id, eventId: e.id })));
    await insertDeliveries(client, pairs);
    await markFannedOut(client, events.map((e) => e.id));
    return events.length;
  });
}

export function claim(deps: DeliveryDeps, owner: string, limit: number): Promise<ClaimedDelivery[]> {
  return claimDeliveries(deps.pool, owner, deps.leaseMs, limit);
}

/** Sends one claimed delivery and records what happened. */
export async function deliver(deps: DeliveryDeps, owner: string, d: ClaimedDelivery): Promise<void> {
  const body = JSON.stringify(cloudEvent(d.event));
  const timestamp = Math.floor(Date.now() / 1000);
  const open = (sealed: string | null) => {
    try {
      return sealed === null ? null : openSecret(deps.key, sealed, d.webhookSubscriptionId);
    } catch {
      return null; // sealed under another WEBHOOK_SECRET_KEY
    }
  };
  const current = open(d.secret);
  if (current === null) {
    // Nothing can be signed: a failed attempt like any other, so it shows and ends. A rotation seals a new secret
    // under the key in use (the old one, unreadable, is then just left out).
    return recordFailure(deps, owner, d, { status: null, error: "cannot open the signing secret: it was sealed under another WEBHOOK_SECRET_KEY (rotate the secret)", durationMs: 0 });
  }
  const secrets = [current, open(d.previousSecret)].filter((s): s is string => s !== null);
  const result = await deps.sender.send(d.url, {
    "content-type": "application/cloudevents+json",
    "user-agent": "maintenance-planner-webhooks/1",
    "webhook-id": d.id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatureHeader(secrets, d.id, timestamp, body),
  }, body);
  const requestSeconds = result.durationMs / 1000;
  if (isDelivered(result.status)) {
    await recordDelivered(deps.pool, d.id, owner, result.status!);
    deps.metrics?.({ type: "webhook-attempt", outcome: "delivered", requestSeconds, latencySeconds: (Date.now() - d.event.time.getTime()) / 1000 });
    return;
  }
  await recordFailure(deps, owner, d, result);
}

async function recordFailure(deps: DeliveryDeps, owner: string, d: ClaimedDelivery, result: SendResult): Promise<void> {
  const requestSeconds = result.durationMs / 1000;
  const error = result.error ?? `HTTP ${result.status}`;
  const outcome = await withTransaction(deps.pool, async (client) => {
    const failing = await markFailing(client, d.webhookSubscriptionId);
    if (!failing) return "failed" as const; // the subscription was deleted meanwhile, and its deliveries with it
    const decision = afterFailure(d.attempts, failing.failingSince, failing.now, deps.rules, (deps.random ?? Math.random)());
    await recordFailed(client, d.id, owner, decision.nextAttemptAt, result.status, error);
    if (decision.disable) await disable(client, d.webhookSubscriptionId, failing.failingSince);
    return decision.nextAttemptAt ? ("retrying" as const) : ("failed" as const);
  });
  deps.log?.warn({ deliveryId: d.id, webhookSubscriptionId: d.webhookSubscriptionId, attempt: d.attempts, status: result.status, error, outcome }, "webhook delivery failed");
  deps.metrics?.({ type: "webhook-attempt", outcome, requestSeconds, latencySeconds: null });
}

async function disable(client: pg.PoolClient, id: string, failingSince: Date): Promise<void> {
  const reason = `Deliveries have failed since ${failingSince.toISOString()} (longer than WEBHOOK_DISABLE_AFTER). Fix the receiver, then POST /v1/webhook-subscriptions/${id}/enable.`;
  const row = await disableSubscription(client, id, reason);
  if (row) {
    await appendAuditEvent(client, {
      actor: AUDIT_ACTOR, requestId: null, action: "webhook-subscription.disabled", targetType: "webhook-subscription", targetId: id,
      before: { state: "active" }, after: { state: "disabled", stateReason: reason },
    });
  }
}

export function workerOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}
