-- Azure fidelity (issue 9): a VM's maintenance is known only from an instance view of that VM. When it was last
-- read is stored, so the sync can re-read VMs in tiers and the API can tell "unknown" (never read) from "none".
-- Existing VMs start unknown: their status came from a list that may not have carried it, so the next sync
-- reads each of them once.

-- AlterTable
ALTER TABLE "virtual_machines" ADD COLUMN "maintenance_read_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "sync_runs" ADD COLUMN "full" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "instance_views_read" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "instance_views_skipped" INTEGER NOT NULL DEFAULT 0;
