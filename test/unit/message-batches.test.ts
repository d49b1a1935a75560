import { describe, expect, it } from "vitest";
import { batchingPoster, unbatch } from "../../src/scheduler/message-batches.js";

const nextTurn = () => new Promise((r) => setImmediate(r));

describe("messages between a job's thread and the main thread", () => {
  it("sends what is posted in one turn as one message, in order, and a lone message as itself", async () => {
    const sent: unknown[] = [];
    const post = batchingPoster((m) => sent.push(m));
    post({ a: 1 });
    post({ b: 2 });
    post({ c: 3 });
    expect(sent).toEqual([]);
    await nextTurn();
    await nextTurn();
    expect(sent).toEqual([{ batch: [{ a: 1 }, { b: 2 }, { c: 3 }] }]);
    post("alone");
    await nextTurn();
    await nextTurn();
    expect(sent[1]).toBe("alone");
    expect(sent.flatMap(unbatch)).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }, "alone"]);
  });
});
