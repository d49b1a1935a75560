// The database-enforced rules of the schema, and how a unique violation surfaces through Prisma 7 (driver
// adapter) and through raw `pg`, since repositories map constraint names to domain errors.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueViolationConstraint } from "../../src/db/errors.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
}, 60_000);
afterAll(async () => t?.drop());

const vm = (key: string) => ({
  resourceId: key.toUpperCase(), resourceIdKey: key, subscriptionId: "sub", resourceGroup: "rg", name: "vm",
  location: "westeurope", firstSeenAt: new Date(), lastSeenAt: new Date(),
});

async function caught(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail("expected a unique violation"),
    (err: unknown) => err,
  );
}

describe("unique violations", () => {
  it("name the constraint from a Prisma P2002 error", async () => {
    await t.db.prisma.virtualMachine.create({ data: vm("/subscriptions/sub/vm-a") });
    const err = await caught(t.db.prisma.virtualMachine.create({ data: vm("/subscriptions/sub/vm-a") }));
    // The shape Prisma 7.10 produces with @prisma/adapter-pg (no meta.target any more).
    expect(err).toMatchObject({
      code: "P2002",
      meta: { driverAdapterError: { cause: { constraint: { index: "virtual_machines_resource_id_key_key" } } } },
    });
    expect(uniqueViolationConstraint(err)).toBe("virtual_machines_resource_id_key_key");
  });

  it("name the constraint from a raw pg error", async () => {
    const insert = `INSERT INTO sync_runs (id, trigger, status) VALUES (gen_random_uuid(), 'manual', 'running')`;
    await t.db.pool.query(insert);
    const err = await caught(t.db.pool.query(insert));
    expect(err).toMatchObject({ code: "23505", constraint: "sync_runs_one_running" });
    expect(uniqueViolationConstraint(err)).toBe("sync_runs_one_running");
  });

  it("name the partial index through Prisma too", async () => {
    await t.db.pool.query(`INSERT INTO sync_runs (id, trigger, status) VALUES (gen_random_uuid(), 'manual', 'running')
      ON CONFLICT DO NOTHING`);
    const err = await caught(t.db.prisma.syncRun.create({ data: { id: randomUUID(), trigger: "timer", status: "running" } }));
    expect(uniqueViolationConstraint(err)).toBe("sync_runs_one_running");
  });

  it("return null for other errors", async () => {
    const err = await caught(t.db.pool.query(`SELECT 1/0`));
    expect(uniqueViolationConstraint(err)).toBeNull();
    expect(uniqueViolationConstraint(new Error("x"))).toBeNull();
    expect(uniqueViolationConstraint(null)).toBeNull();
  });
});

describe("sync_runs", () => {
  it("allows any number of finished runs beside the one running", async () => {
    await t.db.pool.query(`UPDATE sync_runs SET status = 'succeeded', finished_at = now()`);
    for (const status of ["running", "failed", "failed", "succeeded"]) {
      await t.db.prisma.syncRun.create({ data: { trigger: "timer", status } });
    }
    const run = await t.db.prisma.syncRun.findFirstOrThrow({ where: { status: "running" } });
    expect(run).toMatchObject({ vmsSeen: 0, errors: [] });
    expect(run.startedAt).toBeInstanceOf(Date);
  });
});

describe("createDb", () => {
  it("shares one named pool between Prisma and raw queries", async () => {
    const rows = await t.db.prisma.$queryRaw<{ name: string }[]>`SELECT current_setting('application_name') AS name`;
    expect(rows).toEqual([{ name: "maintenance-planner" }]);
    expect(t.db.pool.totalCount).toBeGreaterThan(0); // Prisma's queries opened connections in our pool
  });

  it("cascades a deleted VM to its status and history", async () => {
    const v = await t.db.prisma.virtualMachine.create({ data: vm("/subscriptions/sub/vm-b") });
    await t.db.prisma.maintenanceStatus.create({ data: { virtualMachineId: v.id, observedAt: new Date() } });
    await t.db.prisma.windowHistoryEntry.create({ data: { virtualMachineId: v.id, change: "new", observedAt: new Date() } });
    await t.db.prisma.virtualMachine.delete({ where: { id: v.id } });
    expect(await t.db.prisma.maintenanceStatus.count({ where: { virtualMachineId: v.id } })).toBe(0);
    expect(await t.db.prisma.windowHistoryEntry.count({ where: { virtualMachineId: v.id } })).toBe(0);
  });
});
