// The API benchmark's yardstick, run as its own process like the service: a bare Fastify route answering
// `GET /v1/virtual-machines?limit=100` with one pg query and the same documents the service sends, without
// validation, hooks, auth, metrics or a response schema. Env: DATABASE_URL, PORT. Prints `listening <port>`.
import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import pg from "pg";

const QUERY = `
SELECT v.*, m.customer_initiated_maintenance_allowed, m.self_service_window_start, m.self_service_window_end,
  m.scheduled_window_start, m.scheduled_window_end, m.last_operation_result_code, m.last_operation_message,
  m.observed_at, m.skipped_at, m.virtual_machine_id AS has_maintenance
FROM virtual_machines v LEFT JOIN maintenance_statuses m ON m.virtual_machine_id = v.id
WHERE v.gone_since IS NULL ORDER BY v.resource_id_key LIMIT 101`;

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify();
app.get("/v1/virtual-machines", async () => {
  const { rows } = await pool.query(QUERY);
  const value = rows.slice(0, 100).map((r) => ({
    id: r.id, resourceId: r.resource_id, subscriptionId: r.subscription_id, resourceGroup: r.resource_group, name: r.name, location: r.location,
    scaleSet: r.scale_set_name ? { name: r.scale_set_name, instanceId: r.scale_set_instance_id } : null,
    availabilitySet: r.availability_set, zone: r.zone, platformUpdateDomain: r.platform_update_domain, platformFaultDomain: r.platform_fault_domain,
    tags: r.tags, powerState: r.power_state, firstSeenAt: r.first_seen_at, lastSeenAt: r.last_seen_at, goneSince: r.gone_since, maintenanceReadAt: r.maintenance_read_at,
    maintenance: r.has_maintenance ? {
      customerInitiatedMaintenanceAllowed: r.customer_initiated_maintenance_allowed,
      selfServiceWindow: { start: r.self_service_window_start, end: r.self_service_window_end },
      scheduledWindow: { start: r.scheduled_window_start, end: r.scheduled_window_end },
      lastOperationResultCode: r.last_operation_result_code, lastOperationMessage: r.last_operation_message,
      observedAt: r.observed_at, skippedAt: r.skipped_at,
    } : null,
  }));
  return { value, nextLink: rows.length > 100 ? "next" : null };
});
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT ?? 0) });
console.log(`listening ${(app.server.address() as AddressInfo).port}`);
const stop = () => void app.close().then(() => pool.end()).then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
