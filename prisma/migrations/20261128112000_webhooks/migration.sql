-- Webhooks (issue 11): subscriptions, and one delivery per subscription × matching outbox event.
-- Fan-out is lazy: the delivery worker turns outbox events whose `fanned_out_at` is null into delivery rows and
-- sets it, in one transaction, so a crash between the two steps loses or duplicates nothing.

-- AlterTable
ALTER TABLE "outbox_events" ADD COLUMN "fanned_out_at" TIMESTAMPTZ(3);

-- Only the events not yet fanned out: the worker's scan and the backlog gauge stay cheap however long the outbox.
CREATE INDEX "outbox_events_not_fanned_out" ON "outbox_events"("time") WHERE "fanned_out_at" IS NULL;

-- CreateTable
CREATE TABLE "webhook_subscriptions" (
    "id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "event_types" JSONB NOT NULL DEFAULT '[]',
    "filter_subscription_id" TEXT,
    "filter_resource_group" TEXT,
    "description" TEXT,
    "owner_principal_id" TEXT NOT NULL,
    "owner_actor" TEXT NOT NULL,
    "owner_scope" JSONB,
    "secret" TEXT NOT NULL,
    "previous_secret" TEXT,
    "previous_secret_expires_at" TIMESTAMPTZ(3),
    "state" TEXT NOT NULL DEFAULT 'active',
    "state_reason" TEXT,
    "failing_since" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "webhook_subscription_id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_status" INTEGER,
    "last_error" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_webhook_subscription_id_event_id_key" ON "webhook_deliveries"("webhook_subscription_id", "event_id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_webhook_subscription_id_created_at_id_idx" ON "webhook_deliveries"("webhook_subscription_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_event_id_idx" ON "webhook_deliveries"("event_id");

-- The worker's claim: pending deliveries by due time (delivered and failed ones are history).
CREATE INDEX "webhook_deliveries_due" ON "webhook_deliveries"("next_attempt_at") WHERE "state" = 'pending';

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_subscription_id_fkey" FOREIGN KEY ("webhook_subscription_id") REFERENCES "webhook_subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "outbox_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Wakes the delivery workers when events commit (NOTIFY is delivered at commit, once per transaction and payload).
CREATE FUNCTION "notify_outbox_events"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox_events', '');
  RETURN NULL;
END $$;

CREATE TRIGGER "outbox_events_notify" AFTER INSERT ON "outbox_events" FOR EACH STATEMENT EXECUTE FUNCTION "notify_outbox_events"();
