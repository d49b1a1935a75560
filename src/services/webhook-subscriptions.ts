// Admin use cases for webhook subscriptions. Each change and its audit event are one transaction; the signing
// secret is returned once (on creation and rotation) and stored sealed.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { cursorCodec, type Page } from "../domain/cursor.js";
import { DomainError } from "../domain/errors.js";
import { checkWebhookUrl } from "../domain/webhook-address.js";
import { newWebhookSecret, sealSecret } from "../domain/webhook-secrets.js";
import { appendAuditEvent, type AuditContext } from "../db/audit-repo.js";
import { withTransaction } from "../db/transaction.js";
import {
  deleteSubscription, enableSubscription, findSubscription, insertSubscription, listSubscriptions, rotateSecret, type WebhookSubscriptionRow,
} from "../db/webhook-subscriptions-repo.js";
import type { Caller } from "./access.js";
import { ForbiddenAddressError, resolveAllowed, systemResolver, type Resolver } from "./webhook-sender.js";

/** What the HTTP process needs for webhooks (main.ts from config; tests inject a resolver). */
export interface WebhookSettings {
  /** null: webhooks are off (azure mode without WEBHOOK_SECRET_KEY). */
  key: Buffer | null;
  allowInsecure: boolean;
  resolver?: Resolver;
}

export interface NewWebhookSubscriptionInput {
  url: string;
  eventTypes?: string[];
  filter?: { subscriptionId?: string | null; resourceGroup?: string | null };
  description?: string | null;
}

/** After a rotation the old secret keeps signing this long, so receivers can switch without losing events. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

const CURSOR = cursorCodec({ id: "uuid" });
const audited = (row: WebhookSubscriptionRow) => ({ ...row, failingSince: undefined, updatedAt: undefined });

function requireKey(settings: WebhookSettings | undefined): Buffer {
  if (!settings?.key) {
    throw new DomainError("webhooks-not-configured", "Set WEBHOOK_SECRET_KEY (32 random bytes, base64: `openssl rand -base64 32`) on every replica to use webhooks.");
  }
  return settings.key;
}

/** The URL rules, and for a name, every address it resolves to now (checked again on every connection). */
async function checkUrl(settings: WebhookSettings, raw: string): Promise<string> {
  const bad = (reason: string) => new DomainError("invalid-webhook-url", `url ${reason}.`, { pointer: "/url" });
  const checked = checkWebhookUrl(raw, settings.allowInsecure);
  if (!checked.ok) throw bad(checked.reason);
  if (!settings.allowInsecure && checked.ipLiteral === null) {
    try {
      await resolveAllowed(settings.resolver ?? systemResolver, checked.url.hostname);
    } catch (error) {
      throw bad(error instanceof ForbiddenAddressError ? `host ${error.message}` : `host ${checked.url.hostname} does not resolve`);
    }
  }
  return checked.url.toString();
}

export async function createWebhookSubscription(pool: pg.Pool, settings: WebhookSettings | undefined, caller: Caller, input: NewWebhookSubscriptionInput) {
  const key = requireKey(settings);
  const url = await checkUrl(settings!, input.url);
  const id = randomUUID();
  const secret = newWebhookSecret();
  const row = await withTransaction(pool, async (client) => {
    const created = await insertSubscription(client, {
      id, url, secret: sealSecret(key, secret, id),
      eventTypes: [...new Set(input.eventTypes ?? [])],
      filterSubscriptionId: input.filter?.subscriptionId?.toLowerCase() ?? null,
      filterResourceGroup: input.filter?.resourceGroup?.toLowerCase() ?? null,
      description: input.description ?? null,
      ownerPrincipalId: caller.principalId, ownerActor: caller.actor, ownerScope: caller.scope,
    });
    await appendAuditEvent(client, { ...caller, action: "webhook-subscription.created", targetType: "webhook-subscription", targetId: id, after: audited(created) });
    return created;
  });
  return { row, secret };
}

export async function getWebhookSubscription(pool: pg.Pool, id: string): Promise<WebhookSubscriptionRow> {
  const row = await findSubscription(pool, id);
  if (!row) throw new DomainError("not-found", `No webhook subscription with id ${id}.`);
  return row;
}

export async function listWebhookSubscriptionsPage(pool: pg.Pool, limit: number, cursor: string | undefined): Promise<Page<WebhookSubscriptionRow>> {
  const after = CURSOR.decode(cursor)?.id ?? null;
  return CURSOR.page(await listSubscriptions(pool, limit + 1, after), limit, (last) => ({ id: last.id }));
}

export function deleteWebhookSubscription(pool: pg.Pool, audit: AuditContext, id: string): Promise<void> {
  return withTransaction(pool, async (client) => {
    const row = await deleteSubscription(client, id);
    if (!row) throw new DomainError("not-found", `No webhook subscription with id ${id}.`);
    await appendAuditEvent(client, { ...audit, action: "webhook-subscription.deleted", targetType: "webhook-subscription", targetId: id, before: audited(row) });
  });
}

export async function rotateWebhookSecret(pool: pg.Pool, settings: WebhookSettings | undefined, audit: AuditContext, id: string) {
  const key = requireKey(settings);
  const secret = newWebhookSecret();
  const row = await withTransaction(pool, async (client) => {
    const rotated = await rotateSecret(client, id, sealSecret(key, secret, id), ROTATION_OVERLAP_MS);
    if (!rotated) throw new DomainError("not-found", `No webhook subscription with id ${id}.`);
    await appendAuditEvent(client, {
      ...audit, action: "webhook-subscription.secret-rotated", targetType: "webhook-subscription", targetId: id,
      after: { previousSecretExpiresAt: rotated.previousSecretExpiresAt },
    });
    return rotated;
  });
  return { row, secret };
}

export function enableWebhookSubscription(pool: pg.Pool, audit: AuditContext, id: string): Promise<WebhookSubscriptionRow> {
  return withTransaction(pool, async (client) => {
    const before = await findSubscription(client, id);
    const row = before && (await enableSubscription(client, id));
    if (!before || !row) throw new DomainError("not-found", `No webhook subscription with id ${id}.`);
    await appendAuditEvent(client, {
      ...audit, action: "webhook-subscription.enabled", targetType: "webhook-subscription", targetId: id,
      before: { state: before.state, stateReason: before.stateReason }, after: { state: row.state },
    });
    return row;
  });
}
