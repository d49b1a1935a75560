-- Booking batches (issue 12, item 4): every batch POST /v1/booking-batches answered with 200, with its per-item
-- results (booking ids, or the problem of each item that failed), so a retry with the same Idempotency-Key replays
-- the first answer. A refused batch (4xx) writes nothing, this row neither.
-- CreateTable
CREATE TABLE "booking_batches" (
    "id" UUID NOT NULL,
    "principal_id" TEXT NOT NULL,
    "idempotency_key" TEXT,
    "request_hash" TEXT NOT NULL,
    "atomic" BOOLEAN NOT NULL,
    "results" JSONB NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "booking_batches_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "booking_batches_principal_id_idempotency_key_key" ON "booking_batches"("principal_id", "idempotency_key");
