// Liveness and readiness: /readyz answers 503 while a migration is pending or the database is unreachable.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { createDb } from "../../src/db/client.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { expectContract } from "../helpers/openapi.js";

describe("health and readiness", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 1 } } });
  });
  afterAll(() => ctx?.close());

  it("is ready when every migration is applied, and not while one is pending", async () => {
    const ready = await ctx.http.get("/readyz");
    expectContract(ready);
    expect(ready.status).toBe(200);

    const pool = ctx.database.db.pool;
    const { rows } = await pool.query("SELECT id, migration_name FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1");
    await pool.query("UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = $1", [rows[0].id]);
    try {
      const pending = await ctx.http.get("/readyz");
      expectContract(pending);
      expect(pending.status).toBe(503);
      expect(pending.body).toMatchObject({ code: "not-ready", detail: expect.stringContaining(rows[0].migration_name) });
      expect((await ctx.http.get("/healthz")).status).toBe(200);
    } finally {
      await pool.query("UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE id = $1", [rows[0].id]);
    }
  });

  it("is not ready when the database does not answer", async () => {
    const unreachable = createDb("postgresql://postgres@127.0.0.1:1/none", { max: 1 });
    const app = await buildApp({ ...ctx.appDeps, db: unreachable });
    await app.ready();
    try {
      const res = await request(app.server).get("/readyz");
      expectContract(res);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: "not-ready", detail: "The database does not answer." });
    } finally {
      await app.close();
      await unreachable.close();
    }
  });
});
