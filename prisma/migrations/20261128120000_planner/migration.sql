-- Planner (issue 12): update-domain sequencing and maintenance groups. A booking the planner holds back shows
-- when it expects to start it and why; a group past its error budget holds its remaining bookings (`held`, an
-- active state: the VM keeps its one active booking).

-- AlterTable
ALTER TABLE "bookings" ADD COLUMN "deferred_until" TIMESTAMPTZ(3),
ADD COLUMN "deferral_reason" TEXT;

-- CreateTable
CREATE TABLE "maintenance_groups" (
    "name" TEXT NOT NULL,
    "description" TEXT,
    "selector" JSONB NOT NULL DEFAULT '{}',
    "policy" JSONB NOT NULL DEFAULT '{}',
    "resumed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "maintenance_groups_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "maintenance_group_members" (
    "group_name" TEXT NOT NULL,
    "virtual_machine_id" UUID NOT NULL,

    CONSTRAINT "maintenance_group_members_pkey" PRIMARY KEY ("group_name","virtual_machine_id")
);

-- CreateIndex
CREATE INDEX "maintenance_group_members_virtual_machine_id_idx" ON "maintenance_group_members"("virtual_machine_id");

-- AddForeignKey
ALTER TABLE "maintenance_group_members" ADD CONSTRAINT "maintenance_group_members_group_name_fkey" FOREIGN KEY ("group_name") REFERENCES "maintenance_groups"("name") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "maintenance_group_members" ADD CONSTRAINT "maintenance_group_members_virtual_machine_id_fkey" FOREIGN KEY ("virtual_machine_id") REFERENCES "virtual_machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One active booking per VM: a held booking is still the VM's (resume makes it scheduled again).
DROP INDEX "bookings_one_active_per_vm";
CREATE UNIQUE INDEX "bookings_one_active_per_vm" ON "bookings"("virtual_machine_id") WHERE "state" IN ('scheduled', 'running', 'held');
