// Admin use cases for a subscription's deliveries: what happened to each event, and sending one again.
import type pg from "pg";
import { cursorCodec, type Page } from "../domain/cursor.js";
import { DomainError } from "../domain/errors.js";
import { appendAuditEvent, type AuditContext } from "../db/audit-repo.js";
import { withTransaction } from "../db/transaction.js";
import { findDelivery, listDeliveries, scheduleRedelivery, type DeliveryRow } from "../db/webhook-deliveries-repo.js";
import { getWebhookSubscription } from "./webhook-subscriptions.js";

const CURSOR = cursorCodec({ createdAt: "timestamp", id: "uuid" });

export async function listDeliveriesPage(pool: pg.Pool, webhookSubscriptionId: string, limit: number, cursor: string | undefined): Promise<Page<DeliveryRow>> {
  await getWebhookSubscription(pool, webhookSubscriptionId);
  const before = CURSOR.decode(cursor);
  const rows = await listDeliveries(pool, webhookSubscriptionId, limit + 1, before);
  return CURSOR.page(rows, limit, (last) => ({ createdAt: last.createdAt, id: last.id }));
}

/** Due again now, with the retry schedule from its start (the same `webhook-id`: receivers de-duplicate on it). */
export function redeliver(pool: pg.Pool, audit: AuditContext, webhookSubscriptionId: string, id: string): Promise<DeliveryRow> {
  return withTransaction(pool, async (client) => {
    const row = await scheduleRedelivery(client, webhookSubscriptionId, id);
    if (!row) {
      const existing = await findDelivery(client, webhookSubscriptionId, id);
      if (!existing) throw new DomainError("not-found", `Webhook subscription ${webhookSubscriptionId} has no delivery ${id}.`);
      throw new DomainError("delivery-in-progress", "The delivery is being attempted right now. Look at it again once this attempt has finished.");
    }
    await appendAuditEvent(client, { ...audit, action: "webhook-delivery.redelivered", targetType: "webhook-delivery", targetId: id, after: { webhookSubscriptionId, state: "pending" } });
    return row;
  });
}
