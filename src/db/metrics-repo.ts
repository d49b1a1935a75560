// Current-state counts for the /metrics gauges, counted on their own schedule (never per scrape, see main.ts).
// The maintenance classes are the API's own filter conditions (maintenanceCondition), which
// test/integration/virtual-machines-api.test.ts checks against the domain rules, made exclusive so the gauges add
// up to the VMs Azure still lists.
import type { PrismaClient } from "../generated/prisma/client.js";
import type { StateCounts } from "../observability/metrics.js";
import { SqlConditions, maintenanceCondition } from "./virtual-machines-repo.js";
import { outboxBacklog } from "./webhook-deliveries-repo.js";
import type { Queryable } from "./leases-repo.js";

export function stateCounts(prisma: PrismaClient, pool?: Queryable): StateCounts {
  return {
    outboxBacklog: pool && (() => outboxBacklog(pool)),
    async vmsByMaintenance() {
      const sql = new SqlConditions();
      const now = new Date();
      const [open, pending, none, unknown] = (["self-service-open", "pending", "none", "unknown"] as const).map((f) => maintenanceCondition(f, now, sql));
      const [counts] = await prisma.$queryRawUnsafe<Record<string, number>[]>(
        `SELECT count(*) FILTER (WHERE ${unknown})::int AS "unknown",
                count(*) FILTER (WHERE ${none})::int AS "none",
                count(*) FILTER (WHERE ${open} AND NOT ${unknown})::int AS "self-service-open",
                count(*) FILTER (WHERE ${pending} AND NOT ${open} AND NOT ${unknown})::int AS "pending",
                count(*) FILTER (WHERE NOT ${unknown} AND NOT ${none} AND NOT ${open} AND NOT ${pending})::int AS "done"
         FROM virtual_machines v LEFT JOIN maintenance_statuses m ON m.virtual_machine_id = v.id
         WHERE v.gone_since IS NULL`,
        ...sql.params,
      );
      return counts;
    },
    async bookingsByState() {
      const rows = await prisma.booking.groupBy({ by: ["state"], _count: { _all: true } });
      return Object.fromEntries(rows.map((r) => [r.state, r._count._all]));
    },
  };
}
