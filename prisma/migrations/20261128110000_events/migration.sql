-- Events (issue 11): a transactional outbox. Every change that matters is written here in the transaction of
-- the change; delivery (webhooks) reads it afterwards, so nothing committed is ever lost to a crash.

-- CreateTable
CREATE TABLE "outbox_events" (
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "sequence" BIGINT NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,
    "data" JSONB NOT NULL,
    "subscription_id" TEXT,
    "resource_group" TEXT,

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "event_subjects" (
    "subject" TEXT NOT NULL,
    "last_sequence" BIGINT NOT NULL,

    CONSTRAINT "event_subjects_pkey" PRIMARY KEY ("subject")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_subject_sequence_key" ON "outbox_events"("subject", "sequence");

-- CreateIndex
CREATE INDEX "outbox_events_time_idx" ON "outbox_events"("time");
