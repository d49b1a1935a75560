// Group commit: many small writes from concurrent executions become one set-based transaction. Under load the
// dispatcher had ~80 executions writing at once, each its own handful of statements (the outcome of an attempt was
// a ten-statement transaction): PostgreSQL and the socket writes took most of the machine (`npm run bench
// dispatch`, profiled). Writes asked for while a batch is being written wait for it and go together in the next;
// a lone write goes at the next turn of the event loop, so nothing waits on a timer.
//
// Each item gets its own answer. A batch that fails as a whole (a deadlock, a constraint, an illegal transition
// of one booking) is retried one item at a time, so one bad item never fails the others.

export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupCommitOptions<T> {
  /** Items per batch. */
  maxBatch: number;
  /** Batches written at once (each holds a connection). */
  concurrency: number;
  /** Items with the same key never share a batch (the set-based statements take one row per key). */
  key?: (item: T) => string;
}

interface Waiting<T, R> {
  item: T;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/** `write` answers one Settled per item, in order. Returns a function that writes one item and answers its result. */
export function groupCommit<T, R>(write: (items: T[]) => Promise<Settled<R>[]>, opts: GroupCommitOptions<T>): (item: T) => Promise<R> {
  let queue: Waiting<T, R>[] = [];
  let active = 0;
  let scheduled = false;

  function take(): Waiting<T, R>[] {
    if (!opts.key) return queue.splice(0, opts.maxBatch);
    const keys = new Set<string>();
    const batch: Waiting<T, R>[] = [];
    const rest: Waiting<T, R>[] = [];
    for (const w of queue) {
      const key = opts.key(w.item);
      if (batch.length < opts.maxBatch && !keys.has(key)) {
        keys.add(key);
        batch.push(w);
      } else rest.push(w);
    }
    queue = rest;
    return batch;
  }

  async function writeAlone(w: Waiting<T, R>): Promise<void> {
    try {
      settle(w, (await write([w.item]))[0]);
    } catch (error) {
      w.reject(error);
    }
  }

  function settle(w: Waiting<T, R>, result: Settled<R> | undefined): void {
    if (!result) w.reject(new Error("group commit: no result for an item"));
    else if (result.ok) w.resolve(result.value);
    else w.reject(result.error);
  }

  async function flush(): Promise<void> {
    scheduled = false;
    if (active >= opts.concurrency || queue.length === 0) return;
    const batch = take();
    active++;
    schedule();
    try {
      const results = await write(batch.map((w) => w.item));
      batch.forEach((w, i) => settle(w, results[i]));
    } catch (error) {
      if (batch.length === 1) batch[0].reject(error);
      else for (const w of batch) await writeAlone(w);
    } finally {
      active--;
      schedule();
    }
  }

  function schedule(): void {
    if (scheduled || active >= opts.concurrency || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => void flush());
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
