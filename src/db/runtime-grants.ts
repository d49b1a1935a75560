// What the service's run-time role may do: exactly the statements the code runs. No DDL, no TRUNCATE, nothing on
// tables not listed, and on audit_events only SELECT and INSERT. When DATABASE_MIGRATION_URL names another role than
// DATABASE_URL, that (owner) role applies these right after migrating (src/main.ts, npm run db:migrate), so a
// release that adds a table grants it in the same step; README "Database roles" shows the statements.
// test/integration/database-roles.test.ts runs the real service as such a role and checks every table is listed.
import pg from "pg";
import { APPLICATION_NAME } from "./application-name.js";

export const RUNTIME_PRIVILEGES: Record<string, string> = {
  virtual_machines: "SELECT, INSERT, UPDATE",
  maintenance_statuses: "SELECT, INSERT, UPDATE, DELETE",
  window_history: "SELECT, INSERT",
  sync_runs: "SELECT, INSERT, UPDATE",
  bookings: "SELECT, INSERT, UPDATE",
  execution_attempts: "SELECT, INSERT, UPDATE, DELETE",
  // idempotency records, and the outbox below, are deleted past their retention (services/retention.ts)
  idempotency_keys: "SELECT, INSERT, DELETE",
  booking_batches: "SELECT, INSERT, DELETE",
  scope_assignments: "SELECT, INSERT, DELETE",
  audit_events: "SELECT, INSERT",
  // the events outbox: events are written once, never changed but for `fanned_out_at` (the delivery worker marks
  // them and numbers them for the event stream) until deleted past OUTBOX_RETENTION; each subject's sequence counter
  // moves on and is never deleted
  outbox_events: "SELECT, INSERT, UPDATE, DELETE",
  event_subjects: "SELECT, INSERT, UPDATE",
  webhook_subscriptions: "SELECT, INSERT, UPDATE, DELETE",
  webhook_deliveries: "SELECT, INSERT, UPDATE, DELETE",
  maintenance_windows: "SELECT, INSERT, UPDATE, DELETE",
  blackouts: "SELECT, INSERT, UPDATE, DELETE",
  // deadline alerts already announced (old ones are deleted), and calendar feeds (deleted by their owner)
  deadline_alerts: "SELECT, INSERT, DELETE",
  calendar_feeds: "SELECT, INSERT, UPDATE, DELETE",
  // maintenance groups, and their members (replaced after every sync)
  maintenance_groups: "SELECT, INSERT, UPDATE, DELETE",
  maintenance_group_members: "SELECT, INSERT, DELETE",
  // which bookings auto-booking made (for not re-making a cancelled one), and the members it found no slot for
  auto_bookings: "SELECT, INSERT",
  auto_booking_unplannable: "SELECT, INSERT, DELETE",
  // /readyz compares the applied migrations with the files.
  _prisma_migrations: "SELECT",
};

/** The statements, for `role` (already quoted as an identifier). Revoking first removes what an older release granted. */
export function runtimeGrantStatements(role: string): string[] {
  return [
    `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`,
    `REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${role}`,
    `GRANT USAGE ON SCHEMA public TO ${role}`,
    ...Object.entries(RUNTIME_PRIVILEGES).map(([table, privileges]) => `GRANT ${privileges} ON ${table} TO ${role}`),
    // bigserial ids (window_history, audit_events)
    `GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${role}`,
  ];
}

/** The user name in a postgres:// URL. */
export function databaseUser(url: string): string {
  return decodeURIComponent(new URL(url).username) || "postgres";
}

/**
 * Grants the run-time role (DATABASE_URL's user) its privileges, connected as the migrating role. Does nothing when
 * both URLs name the same role: that role owns everything anyway.
 */
export async function grantRuntimeRole(migrationUrl: string, runtimeUrl: string): Promise<{ granted: string | null }> {
  const role = databaseUser(runtimeUrl);
  if (role === databaseUser(migrationUrl)) return { granted: null };
  const client = new pg.Client({ connectionString: migrationUrl, application_name: `${APPLICATION_NAME}:migrate` });
  await client.connect();
  try {
    await client.query("BEGIN");
    for (const sql of runtimeGrantStatements(client.escapeIdentifier(role))) await client.query(sql);
    await client.query("COMMIT");
    return { granted: role };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}
