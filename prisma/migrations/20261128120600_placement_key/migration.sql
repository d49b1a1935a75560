-- A VM's placement for the planner — its availability set or scale set, compared as ARM compares names — stored
-- once when the VM is written, not computed (arm_key over two names) for every row of every claim.
ALTER TABLE "virtual_machines" ADD COLUMN "placement_key" TEXT GENERATED ALWAYS AS (
  CASE
    WHEN "availability_set" IS NOT NULL THEN "subscription_id" || '/' || "arm_key"("resource_group") || '/availabilitySets/' || "arm_key"("availability_set")
    WHEN "scale_set_name" IS NOT NULL THEN "subscription_id" || '/' || "arm_key"("resource_group") || '/virtualMachineScaleSets/' || "arm_key"("scale_set_name")
  END
) STORED;

CREATE INDEX "virtual_machines_placement_key_idx" ON "virtual_machines"("placement_key");
