// Least-privilege database roles: the real service (node src/main.ts) migrates with an owner role
// (DATABASE_MIGRATION_URL) and does everything else — sync, bookings, the scheduler running one, scope assignments,
// the audit trail — as a role with no DDL, no TRUNCATE and no UPDATE/DELETE on audit_events. And the audit trail
// refuses TRUNCATE even from its owner.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/azure/simulator/index.js";
import { RUNTIME_PRIVILEGES, runtimeGrantStatements } from "../../src/db/runtime-grants.js";
import { BASE_TEST_DATABASE_URL } from "../helpers/database.js";
import { freePort, serviceEnv, startService, stopAll, until } from "../helpers/service-process.js";
import { startTestSimulator } from "../helpers/simulator.js";

const suffix = `${process.pid}_${randomBytes(3).toString("hex")}`;
// Roles are cluster-wide: names of this run's own, dropped in afterAll.
const OWNER = `mp_owner_${suffix}`;
const APP = `mp_app_${suffix}`;
const DATABASE = `mp_test_roles_${suffix}`;

const urlAs = (user: string) => {
  const url = new URL(BASE_TEST_DATABASE_URL);
  url.username = user;
  url.pathname = `/${DATABASE}`;
  return url.toString();
};

describe("least-privilege database roles", () => {
  let admin: pg.Client;
  let sim: Simulator;
  let base: string;
  const api = async (method: string, path: string, body?: object): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${base}${path}`, { method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };
  const as = async <T>(user: string, work: (c: pg.Client) => Promise<T>) => {
    const client = new pg.Client({ connectionString: urlAs(user) });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: BASE_TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE ROLE ${OWNER} LOGIN`);
    await admin.query(`CREATE ROLE ${APP} LOGIN`);
    await admin.query(`CREATE DATABASE ${DATABASE} OWNER ${OWNER}`);
    sim = await startTestSimulator({ fleet: { subscriptions: 1, vmsPerSubscription: 3, scaleSetsPerSubscription: 0, seed: 3 } });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    startService(serviceEnv(sim, urlAs(APP), {
      DATABASE_MIGRATION_URL: urlAs(OWNER), PORT: String(port), BOOKING_MIN_LEAD_SECONDS: "0", BOOKING_END_MARGIN_SECONDS: "0", OPERATION_POLL_INTERVAL: "100ms",
    }));
    await until("the service to be ready", async () => ((await api("GET", "/readyz")).status === 200 ? true : undefined));
  }, 60_000);
  afterAll(async () => {
    await stopAll();
    await sim?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin?.query(`DROP ROLE IF EXISTS ${APP}`);
    await admin?.query(`DROP ROLE IF EXISTS ${OWNER}`);
    await admin?.end();
  });

  it("the service runs sync, bookings, the scheduler, scope assignments and the audit trail as the run-time role", async () => {
    const [vm] = sim.vms();
    const now = Date.now();
    sim.setMaintenance(vm.resourceId, {
      isCustomerInitiatedMaintenanceAllowed: true, preMaintenanceWindowStartTime: new Date(now - 3_600_000).toISOString(),
      preMaintenanceWindowEndTime: new Date(now + 86_400_000).toISOString(), lastOperationResultCode: "None",
    });
    const started = await api("POST", "/v1/sync-runs");
    expect(started.status).toBe(202);
    const run = await until("the sync", async () => {
      const r = await api("GET", `/v1/sync-runs/${started.body.id}`);
      return r.body.status === "running" ? undefined : r.body;
    });
    expect(run.status).toBe("succeeded");
    const listed = (await api("GET", "/v1/virtual-machines?limit=10")).body.value;
    const target = listed.find((v: { resourceId: string }) => v.resourceId.toLowerCase() === vm.resourceId.toLowerCase());

    const booking = await api("POST", "/v1/bookings", { virtualMachineId: target.id, startAt: new Date(Date.now() + 1_000).toISOString(), note: "as the app role" });
    expect(booking.status).toBe(201);
    const done = await until("the booking to be performed", async () => {
      const b = (await api("GET", `/v1/bookings/${booking.body.id}`)).body;
      return ["scheduled", "running"].includes(b.state) ? undefined : b;
    });
    expect(done.state).toBe("completed");

    const assignment = await api("POST", "/v1/scope-assignments", { principalId: "0b0b0b0b-0000-4000-8000-000000000b0b", subscriptionId: vm.subscriptionId });
    expect(assignment.status).toBe(201);
    expect((await api("DELETE", `/v1/scope-assignments/${assignment.body.id}`)).status).toBe(204);
    const actions = (await api("GET", "/v1/audit-events?limit=100")).body.value.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["sync.started", "booking.created", "execution.started", "execution.completed", "scope-assignment.created", "scope-assignment.deleted"]));
  });

  it("the run-time role cannot change the schema, truncate, or rewrite the audit trail", async () => {
    const refused = (sql: string) => as(APP, (c) => c.query(sql)).then(() => `${sql}: allowed`, (e: { code?: string }) => `${sql}: ${e.code}`);
    const results = await Promise.all([
      "CREATE TABLE mallory (x int)", "ALTER TABLE bookings ADD COLUMN mallory int", "DROP TABLE scope_assignments",
      "TRUNCATE bookings", "TRUNCATE audit_events", "UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events",
      "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only", "DELETE FROM virtual_machines", "DELETE FROM bookings",
    ].map(refused));
    // 42501 insufficient_privilege for each (42501 is also what the append-only trigger raises, but it never gets to run).
    expect(results.filter((r) => !r.endsWith(": 42501"))).toEqual([]);
  });

  it("every table is in the run-time grants, so a new table cannot be forgotten; README shows the same statements", async () => {
    const tables = await as(OWNER, async (c) => (await c.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((r) => r.tablename));
    expect(tables.sort()).toEqual(Object.keys(RUNTIME_PRIVILEGES).sort());
    const readme = readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");
    expect(runtimeGrantStatements("maintenance_planner_app").filter((sql) => !readme.includes(`${sql};\n`))).toEqual([]);
  });

  it("not even the owner can TRUNCATE the audit trail (statement-level guard)", async () => {
    const before = await as(OWNER, async (c) => (await c.query(`SELECT count(*)::int AS n FROM audit_events`)).rows[0].n);
    expect(before).toBeGreaterThan(0);
    await expect(as(OWNER, (c) => c.query("TRUNCATE audit_events"))).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
    await expect(as(OWNER, (c) => c.query("TRUNCATE bookings, audit_events CASCADE"))).rejects.toThrow(/append-only/);
    expect(await as(OWNER, async (c) => (await c.query(`SELECT count(*)::int AS n FROM audit_events`)).rows[0].n)).toBe(before);
  });
});
