-- Automatic booking (issue 13, item 3). Which bookings auto-booking made, and for which self-service window: an
-- auto booking a user cancelled is not made again for the same window (a window Azure moves is another one). Kept
-- after the group is gone, so deleting and re-creating a group does not bring cancelled bookings back.
-- CreateTable
CREATE TABLE "auto_bookings" (
    "booking_id" UUID NOT NULL,
    "virtual_machine_id" UUID NOT NULL,
    "group_name" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3),
    "window_end" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "auto_bookings_pkey" PRIMARY KEY ("booking_id")
);

-- The members of autoBook groups for which auto-booking found no slot before the deadline, with the reason
-- (GET /v1/maintenance-groups/{name} `unplannable`); replaced for a group by each auto-booking run over it.
-- CreateTable
CREATE TABLE "auto_booking_unplannable" (
    "group_name" TEXT NOT NULL,
    "virtual_machine_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "deadline" TIMESTAMPTZ(3),
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "auto_booking_unplannable_pkey" PRIMARY KEY ("group_name","virtual_machine_id")
);

-- CreateIndex
CREATE INDEX "auto_bookings_virtual_machine_id_idx" ON "auto_bookings"("virtual_machine_id");

-- CreateIndex
CREATE INDEX "auto_booking_unplannable_virtual_machine_id_idx" ON "auto_booking_unplannable"("virtual_machine_id");

-- AddForeignKey
ALTER TABLE "auto_bookings" ADD CONSTRAINT "auto_bookings_booking_id_fkey" FOREIGN KEY ("booking_id") REFERENCES "bookings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auto_bookings" ADD CONSTRAINT "auto_bookings_virtual_machine_id_fkey" FOREIGN KEY ("virtual_machine_id") REFERENCES "virtual_machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auto_booking_unplannable" ADD CONSTRAINT "auto_booking_unplannable_group_name_fkey" FOREIGN KEY ("group_name") REFERENCES "maintenance_groups"("name") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auto_booking_unplannable" ADD CONSTRAINT "auto_booking_unplannable_virtual_machine_id_fkey" FOREIGN KEY ("virtual_machine_id") REFERENCES "virtual_machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;
