// Webhook subscriptions and their deliveries (Maintenance.Admin), and the event catalogue (Maintenance.Read).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { AppDeps } from "../../app.js";
import {
  createWebhookSubscription, deleteWebhookSubscription, enableWebhookSubscription, getWebhookSubscription, listWebhookSubscriptionsPage, rotateWebhookSecret,
} from "../../services/webhook-subscriptions.js";
import { listDeliveriesPage, redeliver } from "../../services/webhook-deliveries.js";
import { webhookDeliveryJson, webhookSubscriptionJson } from "../../representations.js";
import { IdParams, problemsFor } from "../schemas/common.js";
import { EventTypeList, eventTypeList } from "../schemas/events.js";
import {
  DeliveryParams, PageQuery, WebhookDeliveryPage, WebhookSubscriptionCreate, WebhookSubscriptionPage, WebhookSubscriptionWithSecret,
} from "../schemas/webhooks.js";
import { SHARED_SCHEMAS } from "../schemas/index.js";
import { requestCaller } from "../identity.js";
import { nextLink } from "../pagination.js";

const admin = { role: "Maintenance.Admin" } as const;
const tags = ["webhooks"];
const json = (description: string, schema: object) => ({ description, content: { "application/json": { schema } } });
const one = (description: string) => json(description, Type.Ref("WebhookSubscription"));

export const webhookRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const list = eventTypeList(SHARED_SCHEMAS);
  app.get("/v1/event-types", {
    config: { role: "Maintenance.Read" },
    schema: { operationId: "listEventTypes", tags, summary: "Every event type, with the JSON Schema of its CloudEvent", response: { 200: EventTypeList } },
  }, async () => ({ value: list }));

  app.post("/v1/webhook-subscriptions", {
    config: admin,
    schema: {
      operationId: "createWebhookSubscription", tags, summary: "Subscribe a URL to events (the signing secret is in this answer only)",
      body: WebhookSubscriptionCreate,
      response: {
        201: json("The subscription, with its secret.", WebhookSubscriptionWithSecret),
        ...problemsFor(["validation-failed", "payload-too-large", "unsupported-media-type", "invalid-webhook-url", "webhooks-not-configured"]),
      },
    },
  }, async (request, reply) => {
    const { row, secret } = await createWebhookSubscription(deps.db.pool, deps.webhooks, requestCaller(request), request.body);
    return reply.code(201).header("location", `/v1/webhook-subscriptions/${row.id}`).send({ ...webhookSubscriptionJson(row), secret });
  });

  app.get("/v1/webhook-subscriptions", {
    config: admin,
    schema: { operationId: "listWebhookSubscriptions", tags, summary: "Webhook subscriptions", querystring: PageQuery, response: { 200: WebhookSubscriptionPage, ...problemsFor(["validation-failed", "invalid-cursor"]) } },
  }, async (request) => {
    const page = await listWebhookSubscriptionsPage(deps.db.pool, request.query.limit ?? 100, request.query.cursor);
    return { value: page.items.map(webhookSubscriptionJson), nextLink: nextLink(request, page.nextCursor) };
  });

  app.get("/v1/webhook-subscriptions/:id", {
    config: admin,
    schema: { operationId: "getWebhookSubscription", tags, summary: "One webhook subscription", params: IdParams, response: { 200: one("The subscription."), ...problemsFor(["validation-failed", "not-found"]) } },
  }, async (request) => webhookSubscriptionJson(await getWebhookSubscription(deps.db.pool, request.params.id)));

  app.delete("/v1/webhook-subscriptions/:id", {
    config: admin,
    schema: {
      operationId: "deleteWebhookSubscription", tags, summary: "Remove a subscription and its deliveries (nothing more is sent to it)", params: IdParams,
      response: { 204: { description: "Removed.", type: "null" }, ...problemsFor(["validation-failed", "not-found"]) },
    },
  }, async (request, reply) => {
    await deleteWebhookSubscription(deps.db.pool, requestCaller(request), request.params.id);
    return reply.code(204).send(null);
  });

  app.post("/v1/webhook-subscriptions/:id/rotate-secret", {
    config: admin,
    schema: {
      operationId: "rotateWebhookSecret", tags, summary: "A new signing secret; the old one keeps signing alongside it for 24 hours", params: IdParams,
      response: { 200: json("The subscription, with its new secret (shown only now).", WebhookSubscriptionWithSecret), ...problemsFor(["validation-failed", "not-found", "webhooks-not-configured"]) },
    },
  }, async (request) => {
    const { row, secret } = await rotateWebhookSecret(deps.db.pool, deps.webhooks, requestCaller(request), request.params.id);
    return { ...webhookSubscriptionJson(row), secret };
  });

  app.post("/v1/webhook-subscriptions/:id/enable", {
    config: admin,
    schema: {
      operationId: "enableWebhookSubscription", tags, summary: "Make a disabled subscription active again (its pending deliveries resume)", params: IdParams,
      response: { 200: one("The subscription."), ...problemsFor(["validation-failed", "not-found"]) },
    },
  }, async (request) => webhookSubscriptionJson(await enableWebhookSubscription(deps.db.pool, requestCaller(request), request.params.id)));

  app.get("/v1/webhook-subscriptions/:id/deliveries", {
    config: admin,
    schema: {
      operationId: "listWebhookDeliveries", tags, summary: "The subscription's deliveries, newest first: event, attempts, last status and error, next retry",
      params: IdParams, querystring: PageQuery,
      response: { 200: WebhookDeliveryPage, ...problemsFor(["validation-failed", "invalid-cursor", "not-found"]) },
    },
  }, async (request) => {
    const page = await listDeliveriesPage(deps.db.pool, request.params.id, request.query.limit ?? 100, request.query.cursor);
    return { value: page.items.map(webhookDeliveryJson), nextLink: nextLink(request, page.nextCursor) };
  });

  app.post("/v1/webhook-subscriptions/:id/deliveries/:deliveryId/redeliver", {
    config: admin,
    schema: {
      operationId: "redeliverWebhook", tags, summary: "Send a delivery again now (same webhook-id), with a fresh retry schedule", params: DeliveryParams,
      response: { 202: json("Due now.", Type.Ref("WebhookDelivery")), ...problemsFor(["validation-failed", "not-found", "delivery-in-progress"]) },
    },
  }, async (request, reply) => {
    const row = await redeliver(deps.db.pool, requestCaller(request), request.params.id, request.params.deliveryId);
    return reply.code(202).send(webhookDeliveryJson(row));
  });
};
