-- Deadline alerts and calendar feeds (issue 11, items 3 and 4).

-- Which `deadline.approaching` warnings were announced: one row per (VM, deadline = self-service window end,
-- threshold), so each is announced once per window; a moved window has a new deadline and starts afresh.
-- CreateTable
CREATE TABLE "deadline_alerts" (
    "virtual_machine_id" UUID NOT NULL,
    "deadline" TIMESTAMPTZ(3) NOT NULL,
    "threshold" TEXT NOT NULL,
    "alerted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deadline_alerts_pkey" PRIMARY KEY ("virtual_machine_id","deadline","threshold")
);

-- Secret iCalendar feed URLs. Only a SHA-256 of the token is kept: the URL is shown once, at creation.
-- CreateTable
CREATE TABLE "calendar_feeds" (
    "id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "principal_id" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "description" TEXT,
    "scope" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_fetched_at" TIMESTAMPTZ(3),

    CONSTRAINT "calendar_feeds_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "deadline_alerts_deadline_idx" ON "deadline_alerts"("deadline");

-- CreateIndex
CREATE UNIQUE INDEX "calendar_feeds_token_hash_key" ON "calendar_feeds"("token_hash");

-- CreateIndex
CREATE INDEX "calendar_feeds_principal_id_idx" ON "calendar_feeds"("principal_id");

-- AddForeignKey
ALTER TABLE "deadline_alerts" ADD CONSTRAINT "deadline_alerts_virtual_machine_id_fkey" FOREIGN KEY ("virtual_machine_id") REFERENCES "virtual_machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;
