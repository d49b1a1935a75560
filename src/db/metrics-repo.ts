// Current-state counts for the /metrics gauges, counted on their own schedule (never per scrape, see main.ts).
// The maintenance classes are the API's own filters (virtualMachineWhere), which
// test/integration/virtual-machines-api.test.ts checks against the domain rules, made exclusive so the gauges add
// up to the VMs Azure still lists.
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import type { StateCounts } from "../observability/metrics.js";
import { virtualMachineWhere } from "./virtual-machines-repo.js";
import { outboxBacklog } from "./webhook-deliveries-repo.js";
import type { Queryable } from "./leases-repo.js";

export function stateCounts(prisma: PrismaClient, pool?: Queryable): StateCounts {
  return {
    outboxBacklog: pool && (() => outboxBacklog(pool)),
    async vmsByMaintenance() {
      const now = new Date();
      const open = virtualMachineWhere({ maintenance: "self-service-open" }, now);
      const pending = virtualMachineWhere({ maintenance: "pending" }, now);
      const none = virtualMachineWhere({ maintenance: "none" }, now);
      const unknown = virtualMachineWhere({ maintenance: "unknown" }, now);
      const classes: Record<string, Prisma.VirtualMachineWhereInput> = {
        unknown,
        none,
        "self-service-open": { AND: [open, { NOT: unknown }] },
        pending: { AND: [pending, { NOT: [open, unknown] }] },
        done: { AND: [virtualMachineWhere({}, now), { NOT: [unknown, none, open, pending] }] },
      };
      const counts = await Promise.all(Object.values(classes).map((where) => prisma.virtualMachine.count({ where })));
      return Object.fromEntries(Object.keys(classes).map((k, i) => [k, counts[i]]));
    },
    async bookingsByState() {
      const rows = await prisma.booking.groupBy({ by: ["state"], _count: { _all: true } });
      return Object.fromEntries(rows.map((r) => [r.state, r._count._all]));
    },
  };
}
