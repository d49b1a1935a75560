// A database that is out of connections, refusing them or unreachable is "unavailable, retry later" (503 with
// Retry-After), not an internal error: through the Prisma reads and the raw `pg` reads alike.
import { randomBytes } from "node:crypto";
import pg from "pg";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { createDb, type Db } from "../../src/db/client.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { BASE_TEST_DATABASE_URL } from "../helpers/database.js";
import { expectContract } from "../helpers/openapi.js";

describe("database unavailable or too busy", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 2 } } });
  });
  afterAll(() => ctx?.close());

  /** The app as the test context builds it, on another database handle. */
  async function withDb(db: Db, check: (http: ReturnType<typeof request>) => Promise<void>) {
    const app = await buildApp({ ...ctx.appDeps, db });
    await app.ready();
    try {
      await check(request(app.server));
    } finally {
      await app.close();
      await db.close();
    }
  }

  const expectUnavailable = async (res: request.Response) => {
    expectContract(res);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 503, code: "unavailable" });
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
    expect(res.body.detail).toMatch(/database/i);
    expect(res.text).not.toMatch(/timeout exceeded|ECONNREFUSED|53300|127\.0\.0\.1/);
  };

  it("every pooled connection busy for longer than the pool timeout: 503, not a request that hangs or a 500", async () => {
    const db = createDb(ctx.database.url, { max: 1, connectionTimeoutMs: 300 });
    const held = await db.pool.connect();
    await withDb(db, async (http) => {
      try {
        await expectUnavailable(await http.get("/v1/virtual-machines?limit=10")); // Prisma
        await expectUnavailable(await http.get("/v1/bookings?limit=10")); // pg
      } finally {
        held.release(); // before the pool closes: it waits for every client
      }
    });
  });

  it("PostgreSQL out of connections (53300 too_many_connections): 503", async () => {
    const admin = new pg.Client({ connectionString: BASE_TEST_DATABASE_URL });
    await admin.connect();
    // Roles are cluster-wide: a name of its own, dropped afterwards.
    const role = `mp_busy_${process.pid}_${randomBytes(3).toString("hex")}`;
    await admin.query(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 0`);
    try {
      const url = new URL(ctx.database.url);
      url.username = role;
      await withDb(createDb(url.toString(), { max: 2 }), async (http) => {
        await expectUnavailable(await http.get("/v1/virtual-machines?limit=10"));
        await expectUnavailable(await http.get("/v1/bookings?limit=10"));
      });
    } finally {
      await admin.query(`DROP ROLE ${role}`);
      await admin.end();
    }
  });

  it("the database server does not answer (connection refused): 503", async () => {
    await withDb(createDb("postgresql://postgres@127.0.0.1:1/none", { max: 1 }), async (http) => {
      await expectUnavailable(await http.get("/v1/virtual-machines?limit=10"));
      await expectUnavailable(await http.get("/v1/bookings?limit=10"));
    });
  });
});
