// Messages between a job's worker thread and the main thread (ARM budget reservations, metric events) are many and
// small: under load a dispatch worker posted two per ARM request and one per metric, and postMessage (a structured
// clone and a wake-up of the other thread each) became a sixth of its CPU time (`npm run bench dispatch`, profiled).
// What is posted in one turn of the event loop now travels as one message. Control messages (`cancel`,
// `cancelled`, `done`) never go this way: bree waits for them one by one.

interface Batch {
  batch: unknown[];
}

function isBatch(message: unknown): message is Batch {
  return typeof message === "object" && message !== null && Array.isArray((message as Partial<Batch>).batch);
}

/** A postMessage that gathers what is posted in one turn and sends it at the next (one message, or a batch). */
export function batchingPoster(post: (message: unknown) => void): (message: unknown) => void {
  let queued: unknown[] = [];
  return (message) => {
    if (queued.length === 0) {
      setImmediate(() => {
        const batch = queued;
        queued = [];
        post(batch.length === 1 ? batch[0] : ({ batch } satisfies Batch));
      });
    }
    queued.push(message);
  };
}

/** The messages a received message carries: a batch's, in order, or itself. */
export function unbatch(message: unknown): unknown[] {
  return isBatch(message) ? message.batch : [message];
}
