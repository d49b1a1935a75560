-- Bookings, their execution attempts and idempotency keys (issue: bookings API / scheduler).

-- AlterTable
ALTER TABLE "maintenance_statuses" ADD COLUMN "skipped_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "bookings" (
    "id" UUID NOT NULL,
    "virtual_machine_id" UUID NOT NULL,
    "start_at" TIMESTAMPTZ(3) NOT NULL,
    "state" TEXT NOT NULL,
    "state_reason" TEXT,
    "note" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "next_attempt_at" TIMESTAMPTZ(3),
    "operation_state" TEXT,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "bookings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "execution_attempts" (
    "id" UUID NOT NULL,
    "booking_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "outcome" TEXT,
    "http_status" INTEGER,
    "error_code" TEXT,
    "error_message" TEXT,
    "operation_id" TEXT,

    CONSTRAINT "execution_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "created_by" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "booking_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("created_by","key")
);

-- CreateIndex
CREATE INDEX "bookings_virtual_machine_id_created_at_idx" ON "bookings"("virtual_machine_id", "created_at");

-- CreateIndex
CREATE INDEX "bookings_state_start_at_idx" ON "bookings"("state", "start_at");

-- CreateIndex
CREATE INDEX "bookings_start_at_id_idx" ON "bookings"("start_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "execution_attempts_booking_id_number_key" ON "execution_attempts"("booking_id", "number");

-- AddForeignKey
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_virtual_machine_id_fkey" FOREIGN KEY ("virtual_machine_id") REFERENCES "virtual_machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "execution_attempts" ADD CONSTRAINT "execution_attempts_booking_id_fkey" FOREIGN KEY ("booking_id") REFERENCES "bookings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_booking_id_fkey" FOREIGN KEY ("booking_id") REFERENCES "bookings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Not expressible in schema.prisma: at most one active booking per VM, enforced by the database so that
-- concurrent creates cannot both win.
CREATE UNIQUE INDEX "bookings_one_active_per_vm" ON "bookings"("virtual_machine_id") WHERE "state" IN ('scheduled', 'running');
