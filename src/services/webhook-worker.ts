// The delivery loop (the `deliver` job runs it): fan out, claim as many deliveries as there are free slots, send
// them concurrently, and sleep only when there is nothing to do — until the poll interval passes, a delivery
// finishes while all slots were busy, or Postgres notifies that events were committed (a trigger on the outbox
// NOTIFYs `outbox_events` at commit; the poll covers retries coming due and a lost listening connection).
import { setTimeout as sleep } from "node:timers/promises";
import { listen as listenTo, type Listening } from "../db/listen.js";
import { releaseDeliveries } from "../db/webhook-deliveries-repo.js";
import { claim, deliver, fanOut, workerOwner, type DeliveryDeps } from "./webhook-delivery.js";

export interface DeliveryWorkerOptions {
  pollIntervalMs: number;
  /** Deliveries in flight at once. */
  concurrency: number;
  /** Events fanned out, and deliveries claimed, per statement. */
  batch?: number;
}

export interface DeliveryWorker {
  /** Stops claiming, lets requests in flight finish (each within its timeout), gives back any lease left. */
  stop(): Promise<void>;
}

export const OUTBOX_CHANNEL = "outbox_events";

export function startDeliveryWorker(deps: DeliveryDeps, opts: DeliveryWorkerOptions): DeliveryWorker {
  const owner = deps.owner ?? workerOwner();
  const batch = opts.batch ?? 100;
  const inFlight = new Set<Promise<void>>();
  const stopped = new AbortController();
  let wake: (() => void) | null = null;
  const nudge = () => wake?.();
  let listener: Listening | null = null;
  const listenerLost = (err: Error) => deps.log?.warn({ err }, "outbox listener lost; polling only");

  async function listen(): Promise<void> {
    try {
      listener = await listenTo(deps.pool, [OUTBOX_CHANNEL], nudge, listenerLost);
    } catch (err) {
      deps.log?.warn({ err }, "could not listen for outbox events; polling only");
    }
  }

  function launch(d: Awaited<ReturnType<typeof claim>>[number]): void {
    const work = deliver(deps, owner, d)
      .catch((err: unknown) => deps.log?.error({ err, deliveryId: d.id }, "recording a webhook delivery failed"))
      .finally(() => {
        inFlight.delete(work);
        nudge();
      });
    inFlight.add(work);
  }

  async function step(): Promise<number> {
    let worked = 0;
    try {
      worked += await fanOut(deps.pool, batch);
      const free = opts.concurrency - inFlight.size;
      if (free > 0) {
        const claimed = await claim(deps, owner, Math.min(free, batch));
        claimed.forEach(launch);
        worked += claimed.length;
      }
    } catch (err) {
      deps.log?.error({ err }, "webhook fan-out or claim failed");
    }
    return worked;
  }

  async function loop(): Promise<void> {
    await listen();
    while (!stopped.signal.aborted) {
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const worked = await step();
      // Work done (or slots full) → go again as soon as something changes; nothing to do → wait for a reason.
      if (worked > 0 && inFlight.size < opts.concurrency) continue;
      await Promise.race([woken, sleep(opts.pollIntervalMs, undefined, { signal: stopped.signal }).catch(() => undefined)]);
    }
  }

  const looping = loop();
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        stopped.abort();
        nudge();
        await looping;
        await Promise.allSettled([...inFlight]);
        const released = await releaseDeliveries(deps.pool, owner).catch(() => 0);
        await listener?.close();
        deps.log?.info({ released }, "webhook delivery worker stopped");
      })();
      return stopping;
    },
  };
}
