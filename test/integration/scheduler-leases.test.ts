// The leasing SQL against real Postgres: who may claim what, in which order, and that every later write (through
// the one booking writer) is fenced on the lease.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TxClient } from "../../src/db/booking-writes-repo.js";
import { claimDue, LeaseLostError, releaseLeases, renewLeases } from "../../src/db/leases-repo.js";
import { withTransaction } from "../../src/db/transaction.js";
import { IllegalTransitionError, type BookingState } from "../../src/domain/booking-states.js";
import { transitionBookings } from "../../src/services/booking-transitions.js";
import { applyPlan, settleExecutions, type ExecutionMove } from "../../src/services/execution-transitions.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { startAttempt } from "../../src/db/attempts-repo.js";
import { persistOutcomes } from "../../src/services/execution-outcome.js";

describe("leases", () => {
  let database: TestDatabase;
  const q = () => database.db.pool;
  const insert = async (startOffsetSeconds: number[]) => {
    const { rows } = await q().query<{ id: string }>(
      `INSERT INTO bookings (id, virtual_machine_id, start_at, state, created_by)
       SELECT gen_random_uuid(), v.id, now() + o * interval '1 second', 'scheduled', 'test'
       FROM unnest($1::int[]) WITH ORDINALITY AS t(o, n)
       JOIN LATERAL (SELECT id FROM virtual_machines ORDER BY name OFFSET t.n - 1 LIMIT 1) v ON true
       ORDER BY t.n RETURNING id`,
      [startOffsetSeconds],
    );
    return rows.map((r) => r.id);
  };
  const booking = async (id: string) => (await q().query(`SELECT * FROM bookings WHERE id = $1`, [id])).rows[0];
  const tx = <T>(fn: (client: TxClient) => Promise<T>) => withTransaction(q(), fn);
  // The claim's and an attempt's moves, one booking at a time (the planner left out: every claimed booking admitted).
  const startRunning = (owner: string, ids: string[]) => tx((c) => applyPlan(c, owner, { admit: ids, defer: [], miss: [], hold: [], holdOthers: [] }));
  const settle = (owner: string, move: ExecutionMove) =>
    tx(async (c) => {
      const [held] = await settleExecutions(c, owner, [move]);
      if (!held) throw new LeaseLostError(move.id);
    });
  const finish = (id: string, owner: string, to: BookingState, reason: string | null) => settle(owner, { id, to, reason });
  const retry = (id: string, owner: string, inMs: number, reason: string) => settle(owner, { id, to: "running", reason, retry: { inMs, keepOperation: false } });

  beforeAll(async () => {
    database = await createTestDatabase();
    await q().query(
      `INSERT INTO virtual_machines (id, resource_id, resource_id_key, subscription_id, resource_group, name, location, first_seen_at, last_seen_at)
       SELECT gen_random_uuid(), 'vm' || n, 'vm' || n, 'sub', 'rg', 'vm' || lpad(n::text, 3, '0'), 'westeurope', now(), now()
       FROM generate_series(1, 50) n`,
    );
  });
  beforeEach(() => q().query(`DELETE FROM bookings`));
  afterAll(() => database?.drop());

  it("claims due bookings earliest first, leaves future ones, and leaves the version (a lease is invisible to clients)", async () => {
    const [late, early, future] = await insert([-10, -60, 60]);
    const claimed = await claimDue(q(), "a", 60_000, 10);
    expect(claimed.map((r) => r.id)).toEqual([early, late]);
    expect(claimed[0]).toMatchObject({ state: "scheduled", subscription_id: "sub", db_now: expect.any(Date) });
    expect(await booking(early)).toMatchObject({ lease_owner: "a", version: 1 });
    expect((await booking(future)).lease_owner).toBeNull();
    expect(await claimDue(q(), "b", 60_000, 10)).toEqual([]);
  });

  it("hands disjoint sets to concurrent claimers", async () => {
    const ids = await insert(Array.from({ length: 40 }, () => -1));
    const results = await Promise.all(["a", "b", "c", "d"].map((owner) => claimDue(q(), owner, 60_000, 15)));
    const all = results.flat().map((r) => r.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual([...ids].sort());
  });

  it("fences every later write on the owner", async () => {
    const [id] = await insert([-1]);
    await claimDue(q(), "a", 60_000, 1);
    expect(await startRunning("b", [id])).toEqual([]);
    expect(await startRunning("a", [id])).toEqual([id]);
    await expect(finish(id, "b", "completed", null)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(retry(id, "b", 0, "x")).rejects.toBeInstanceOf(LeaseLostError);
    expect([...(await renewLeases(q(), "a", 60_000, []))]).toEqual([]); // only bookings still in flight
    expect([...(await renewLeases(q(), "a", 60_000, [id]))]).toEqual([id]);
    await finish(id, "a", "completed", null);
    expect(await booking(id)).toMatchObject({ state: "completed", lease_owner: null, finished_at: expect.any(Date) });
  });

  it("refuses transitions the lifecycle does not allow, in the writer itself, whoever calls it", async () => {
    const [id] = await insert([-1]);
    await claimDue(q(), "a", 60_000, 1);
    await expect(finish(id, "a", "completed", null)).rejects.toBeInstanceOf(IllegalTransitionError); // scheduled → completed
    await finish(id, "a", "missed", "late");
    expect((await booking(id)).state).toBe("missed");
    // A final booking never changes: not by the scheduler, not by an API caller holding its current version.
    await expect(finish(id, "a", "failed", "x")).rejects.toBeInstanceOf(LeaseLostError); // the final state dropped the lease
    const { version } = await booking(id);
    const audit = { actor: "test", requestId: null, action: "test" };
    for (const to of ["scheduled", "cancelled", "running"] as const) {
      await expect(tx((c) => transitionBookings(c, [{ id, fence: { version }, to, audit }]))).rejects.toBeInstanceOf(IllegalTransitionError);
    }
    expect(await booking(id)).toMatchObject({ state: "missed", version });
  });

  it("retakes an expired lease, and a released one at once", async () => {
    const [id] = await insert([-1]);
    await claimDue(q(), "a", 1, 1);
    await new Promise((r) => setTimeout(r, 20));
    expect((await claimDue(q(), "b", 60_000, 1)).map((r) => r.id)).toEqual([id]);
    await startRunning("b", [id]);
    expect(await releaseLeases(q(), "b")).toBe(1);
    expect(await booking(id)).toMatchObject({ state: "running", lease_owner: null, next_attempt_at: expect.any(Date) });
    expect((await claimDue(q(), "c", 60_000, 1)).map((r) => [r.id, r.state])).toEqual([[id, "running"]]);
  });

  it("keeps a booking waiting for its backoff until its next attempt is due", async () => {
    const [id] = await insert([-1]);
    await claimDue(q(), "a", 60_000, 1);
    await startRunning("a", [id]);
    await retry(id, "a", 300, "Retrying: 503");
    expect(await claimDue(q(), "b", 60_000, 1)).toEqual([]);
    await new Promise((r) => setTimeout(r, 350));
    expect((await claimDue(q(), "b", 60_000, 1)).map((r) => r.id)).toEqual([id]);
  });

  // A booking the post-sync re-check (or the API) ended while the scheduler held its claim kept lease_owner, and
  // the graceful stop's releaseLeases, which had no state filter, then rewrote that FINAL booking (version bumped).
  it("never rewrites a booking that reached a final state while claimed", async () => {
    const [id] = await insert([-1]);
    const [claimed] = await claimDue(q(), "a", 60_000, 1);
    const { rows: read } = await q().query<{ version: number }>(`SELECT version FROM bookings WHERE id = $1`, [id]);
    // The post-sync re-check reads the claimed (still scheduled) booking and invalidates it before admission.
    const audit = { actor: "system:sync", requestId: null, action: "booking.invalidated" };
    await tx((c) => transitionBookings(c, [{ id, fence: { version: read[0].version }, to: "invalidated", reason: "window moved", audit }]));
    expect(await startRunning("a", [claimed.id])).toEqual([]);
    const before = (await q().query(`SELECT state, version, lease_owner FROM bookings WHERE id = $1`, [id])).rows[0];
    await releaseLeases(q(), "a");
    const after = (await q().query(`SELECT state, version, lease_owner FROM bookings WHERE id = $1`, [id])).rows[0];
    expect({ before, after }).toEqual({ before: { state: "invalidated", version: before.version, lease_owner: null }, after: before });
  });

  it("writes the ends of a batch of attempts together, except a booking whose lease is gone: it writes nothing and answers LeaseLostError", async () => {
    const [kept, lost] = await insert([-5, -5]);
    await claimDue(q(), "a", 60_000, 10);
    await startRunning("a", [kept, lost]);
    const attempts = [await startAttempt(q(), kept, "a", null), await startAttempt(q(), lost, "a", null)];
    await q().query(`UPDATE bookings SET lease_owner = 'b' WHERE id = $1`, [lost]); // another owner took it over
    const vm = async (id: string) => (await booking(id)).virtual_machine_id as string;
    const write = async (id: string, attemptId: string) => ({
      bookingId: id, virtualMachineId: await vm(id), attemptId, skipped: false,
      result: { outcome: "succeeded" as const, httpStatus: null, errorCode: null, errorMessage: null },
      move: { id, to: "completed" as const, reason: null },
    });
    const results = await persistOutcomes(q(), "a", [await write(kept, attempts[0].id), await write(lost, attempts[1].id)]);
    expect(results[0]).toEqual({ ok: true, value: undefined });
    expect(results[1]).toMatchObject({ ok: false, error: expect.any(LeaseLostError) });
    expect(await booking(kept)).toMatchObject({ state: "completed", lease_owner: null });
    expect(await booking(lost)).toMatchObject({ state: "running", lease_owner: "b" });
    const ended = (await q().query(`SELECT booking_id, outcome FROM execution_attempts WHERE finished_at IS NOT NULL`)).rows;
    expect(ended).toEqual([{ booking_id: kept, outcome: "succeeded" }]);
  });
});
