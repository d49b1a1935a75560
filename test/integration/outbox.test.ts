// The outbox numbers each subject's events in commit order, across statements and concurrent transactions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvents, type NewEvent } from "../../src/db/outbox-repo.js";
import { withTransaction } from "../../src/db/transaction.js";
import { cloudEvent } from "../../src/domain/events.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";

const event = (subject: string, n: number): NewEvent => ({
  name: "booking.rescheduled", source: "/v1/bookings", subject, data: { n }, subscriptionId: "s", resourceGroup: "rg",
});

describe("outbox", () => {
  let database: TestDatabase;
  beforeAll(async () => { database = await createTestDatabase(); });
  afterAll(() => database?.drop());
  const rows = async (subject: string) =>
    (await database.db.pool.query(`SELECT * FROM outbox_events WHERE subject = $1 ORDER BY sequence`, [subject])).rows;

  it("numbers a subject's events 1, 2, 3 … within and across statements", async () => {
    await appendEvents(database.db.pool, [event("a", 1), event("b", 1), event("a", 2)]);
    await appendEvents(database.db.pool, [event("a", 3)]);
    expect((await rows("a")).map((r) => [Number(r.sequence), r.data.n])).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect((await rows("b")).map((r) => Number(r.sequence))).toEqual([1]);
    const ce = cloudEvent((await rows("a"))[2]);
    expect(ce).toMatchObject({ specversion: "1.0", type: "org.maintenance-planner.booking.rescheduled", subject: "a", sequence: "00000000000000000003", sequencetype: "Integer" });
  });

  it("orders concurrent transactions by commit: the second waits for the first's number", async () => {
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((r) => (releaseFirst = r));
    let firstAppended!: () => void;
    const appended = new Promise<void>((r) => (firstAppended = r));
    const first = withTransaction(database.db.pool, async (client) => {
      await appendEvents(client, [event("c", 1)]);
      firstAppended();
      await firstHolds;
    });
    await appended;
    const second = withTransaction(database.db.pool, (client) => appendEvents(client, [event("c", 2)]));
    releaseFirst();
    await Promise.all([first, second]);
    expect((await rows("c")).map((r) => [Number(r.sequence), r.data.n])).toEqual([[1, 1], [2, 2]]);
  });
});
