-- The event stream (issue 14): `position` numbers outbox events in the order they became visible, so that a
-- stream client can resume after the last one it saw (SSE `Last-Event-ID`). It cannot be given at insert: two
-- transactions commit in either order, so a number taken at insert could appear after a larger one was read and be
-- missed on resume. One transaction at a time (an advisory lock) numbers the committed events that have none,
-- continuing from the largest (src/db/event-stream-repo.ts); what it numbers becomes visible at once.

-- AlterTable
ALTER TABLE "outbox_events" ADD COLUMN "position" BIGINT;

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_position_key" ON "outbox_events"("position");

-- Only the events not yet numbered: the numbering's scan stays cheap however long the outbox.
CREATE INDEX "outbox_events_not_positioned" ON "outbox_events"("time") WHERE "position" IS NULL;
