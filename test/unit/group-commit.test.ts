import { describe, expect, it } from "vitest";
import { groupCommit, type Settled } from "../../src/services/group-commit.js";

const ok = <R>(value: R): Settled<R> => ({ ok: true, value });

describe("group commit", () => {
  it("writes what is asked in one turn as one batch, and what is asked while it is written as the next", async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const write = groupCommit(async (items: number[]) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items.map((i) => ok(i * 10));
    }, { maxBatch: 100, concurrency: 1 });
    const first = [1, 2, 3].map(write);
    await new Promise((r) => setImmediate(r));
    const second = [4, 5].map(write);
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1, 2, 3]]); // the second waits for the first (concurrency 1)
    release();
    expect(await Promise.all([...first, ...second])).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1, 2, 3], [4, 5]]);
  });

  it("keeps items with one key apart, caps a batch, and answers each item its own failure", async () => {
    const batches: string[][] = [];
    const write = groupCommit(async (items: string[]) => {
      batches.push(items);
      return items.map((i): Settled<string> => (i.startsWith("lost") ? { ok: false, error: new Error(i) } : ok(i)));
    }, { maxBatch: 2, concurrency: 1, key: (i) => i[0] });
    const answers = await Promise.allSettled(["a1", "a2", "b1", "lost"].map(write));
    expect(answers.map((a) => (a.status === "fulfilled" ? a.value : (a.reason as Error).message))).toEqual(["a1", "a2", "b1", "lost"]);
    expect(batches).toEqual([["a1", "b1"], ["a2", "lost"]]);
  });

  it("retries a batch that failed as a whole one item at a time, so one bad item fails alone", async () => {
    const batches: number[][] = [];
    const write = groupCommit(async (items: number[]) => {
      batches.push(items);
      if (items.includes(13)) throw new Error("deadlock detected");
      return items.map(ok);
    }, { maxBatch: 10, concurrency: 1 });
    const answers = await Promise.allSettled([12, 13, 14].map(write));
    expect(answers.map((a) => a.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(batches).toEqual([[12, 13, 14], [12], [13], [14]]);
  });
});
