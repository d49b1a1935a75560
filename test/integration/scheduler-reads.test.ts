// The scheduler records each instance view it reads as a sync would. Its usual reading shows the status already
// stored, and takes a one-statement path; these pin what that path must keep: the read time and run-time facts
// move on, no history is written, an older reading never undoes a newer one, and a sync that writes the VM while
// the reading is being recorded is not overwritten by it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { InstanceViewFacts } from "../../src/azure/gateway.js";
import { recordInstanceViews } from "../../src/db/observations-repo.js";
import type { MaintenanceStatus } from "../../src/domain/maintenance.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { until } from "../helpers/until.js";

const STORED: MaintenanceStatus = {
  customerInitiatedMaintenanceAllowed: true,
  selfServiceWindow: { start: new Date("2026-11-20T00:00:00Z"), end: new Date("2026-12-20T00:00:00Z") },
  scheduledWindow: { start: new Date("2026-12-22T00:00:00Z"), end: new Date("2026-12-22T08:00:00Z") },
  lastOperationResultCode: "None",
  lastOperationMessage: null,
};
const view = (maintenance: MaintenanceStatus | null, powerState = "running"): InstanceViewFacts => ({ maintenance, powerState, platformUpdateDomain: 3, platformFaultDomain: 1 });

describe("recording the scheduler's instance view reads", () => {
  let database: TestDatabase;
  const pool = () => database.db.pool;
  let vmId: string;
  const readAt = new Date("2026-11-28T10:00:00Z");
  const vm = async () => (await pool().query(`SELECT v.maintenance_read_at, v.power_state, v.platform_update_domain, m.observed_at, m.self_service_window_end, m.last_operation_result_code
    FROM virtual_machines v JOIN maintenance_statuses m ON m.virtual_machine_id = v.id WHERE v.id = $1`, [vmId])).rows[0];
  const history = async () => (await pool().query(`SELECT change FROM window_history WHERE virtual_machine_id = $1 ORDER BY id`, [vmId])).rows.map((r) => r.change);

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());
  beforeEach(async () => {
    await pool().query(`TRUNCATE virtual_machines CASCADE`);
    const { rows } = await pool().query(
      `INSERT INTO virtual_machines (id, resource_id, resource_id_key, subscription_id, resource_group, name, location, first_seen_at, last_seen_at, maintenance_read_at, power_state)
       VALUES (gen_random_uuid(), 'vm', 'VM', 'sub', 'rg', 'vm', 'westeurope', now(), now(), '2026-11-28T09:00:00Z', 'deallocated') RETURNING id`,
    );
    vmId = rows[0].id;
    await pool().query(
      `INSERT INTO maintenance_statuses (virtual_machine_id, customer_initiated_maintenance_allowed, self_service_window_start, self_service_window_end,
         scheduled_window_start, scheduled_window_end, last_operation_result_code, last_operation_message, observed_at)
       VALUES ($1, true, '2026-11-20T00:00:00Z', '2026-12-20T00:00:00Z', '2026-12-22T00:00:00Z', '2026-12-22T08:00:00Z', 'None', NULL, '2026-11-28T09:00:00Z')`,
      [vmId],
    );
  });

  it("an unchanged status: the read time, power state and update domain move on, the status is stamped observed, no history", async () => {
    expect(await recordInstanceViews(pool(), [{ virtualMachineId: vmId, view: view(STORED), readAt }])).toEqual({ appeared: 0, changed: 0, cleared: 0 });
    const row = await vm();
    expect(row).toMatchObject({ maintenance_read_at: readAt, power_state: "running", platform_update_domain: 3, last_operation_result_code: "None" });
    expect(row.observed_at.getTime()).toBeGreaterThan(Date.parse("2026-11-28T09:00:00Z"));
    expect(await history()).toEqual([]);
  });

  it("a changed status takes the full path: new status and a history row", async () => {
    const completed = { ...STORED, customerInitiatedMaintenanceAllowed: false, lastOperationResultCode: "MaintenanceCompleted" };
    expect(await recordInstanceViews(pool(), [{ virtualMachineId: vmId, view: view(completed), readAt }])).toMatchObject({ changed: 1 });
    expect(await vm()).toMatchObject({ maintenance_read_at: readAt, last_operation_result_code: "MaintenanceCompleted" });
    expect(await history()).toEqual(["status-changed"]);
  });

  it("a reading older than the stored one changes nothing", async () => {
    await recordInstanceViews(pool(), [{ virtualMachineId: vmId, view: view(STORED), readAt: new Date("2026-11-28T08:00:00Z") }]);
    expect(await vm()).toMatchObject({ maintenance_read_at: new Date("2026-11-28T09:00:00Z"), power_state: "deallocated" });
  });

  it("a sync page that writes the VM meanwhile, with an older reading of another status, is then corrected by this newer reading", async () => {
    // The sync holds the VM row (as applyReadings does) and writes a status it read at 09:30.
    const sync = await pool().connect();
    try {
      await sync.query("BEGIN");
      await sync.query(`SELECT 1 FROM virtual_machines WHERE id = $1 FOR UPDATE`, [vmId]);
      await sync.query(`UPDATE virtual_machines SET maintenance_read_at = '2026-11-28T09:30:00Z' WHERE id = $1`, [vmId]);
      await sync.query(`UPDATE maintenance_statuses SET last_operation_result_code = 'RetryLater' WHERE virtual_machine_id = $1`, [vmId]);
      const recording = recordInstanceViews(pool(), [{ virtualMachineId: vmId, view: view(STORED), readAt }]); // the status as first stored: blocked on the row
      await until("the recording to wait for the sync's row lock", async () =>
        (await pool().query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0].n > 0);
      await sync.query("COMMIT");
      expect(await recording).toMatchObject({ changed: 1 }); // not the one-statement path: the status had changed
    } finally {
      sync.release();
    }
    expect(await vm()).toMatchObject({ maintenance_read_at: readAt, last_operation_result_code: "None" });
    expect(await history()).toEqual(["status-changed"]);
  });
});
