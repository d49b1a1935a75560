// Current-state counts for /metrics gauges, computed at scrape time. The maintenance classes mirror
// src/domain/maintenance.ts (isSelfServiceOpen, isPending).
import type pg from "pg";
import type { StateCounts } from "../observability/metrics.js";

const VMS_BY_MAINTENANCE = `
SELECT CASE
    WHEN m.virtual_machine_id IS NULL THEN 'none'
    WHEN m.customer_initiated_maintenance_allowed
      AND (m.self_service_window_start IS NULL OR m.self_service_window_start <= now())
      AND (m.self_service_window_end IS NULL OR m.self_service_window_end > now()) THEN 'self-service-open'
    WHEN m.last_operation_result_code IS DISTINCT FROM 'MaintenanceCompleted'
      AND coalesce(m.scheduled_window_end, m.self_service_window_end, 'infinity') > now() THEN 'pending'
    ELSE 'done'
  END AS maintenance, count(*)::int AS n
FROM virtual_machines v LEFT JOIN maintenance_statuses m ON m.virtual_machine_id = v.id
WHERE v.gone_since IS NULL
GROUP BY 1`;

function toRecord(rows: { k: string; n: number }[]): Record<string, number> {
  return Object.fromEntries(rows.map((r) => [r.k, r.n]));
}

export function stateCounts(pool: pg.Pool): StateCounts {
  return {
    async vmsByMaintenance() {
      const { rows } = await pool.query<{ maintenance: string; n: number }>(VMS_BY_MAINTENANCE);
      return toRecord(rows.map((r) => ({ k: r.maintenance, n: r.n })));
    },
    async bookingsByState() {
      const { rows } = await pool.query<{ k: string; n: number }>(`SELECT state AS k, count(*)::int AS n FROM bookings GROUP BY state`);
      return toRecord(rows);
    },
  };
}
