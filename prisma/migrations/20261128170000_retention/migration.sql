-- Retention (src/services/retention.ts): the hourly job deletes, 5,000 rows a statement, the oldest rows past their
-- retention. These indexes let each statement find them without scanning the table.

-- CreateIndex
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys"("created_at");

-- CreateIndex
CREATE INDEX "booking_batches_created_at_idx" ON "booking_batches"("created_at");

-- Final deliveries only (delivered or failed: each had an attempt, so last_attempt_at is set), by their last attempt.
CREATE INDEX "webhook_deliveries_final" ON "webhook_deliveries"("last_attempt_at") WHERE "state" <> 'pending';
