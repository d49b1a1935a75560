// The dispatch loop: claim due bookings, run each under its subscription's concurrency limit, keep the leases
// alive while work goes on, and on stop() hand everything back at a safe point. It receives its claim / execute /
// renew / release functions (house style 8); the database, not this loop, decides who works on what.
import { setTimeout as sleep } from "node:timers/promises";
import pLimit, { type LimitFunction } from "p-limit";
import type { ExecutionControl, ExecutionLog, RunnableBooking } from "./execution.js";

export interface DispatcherOptions {
  /** Claims up to `limit` due bookings and returns those to run (already `running` and leased by us). */
  claim(limit: number): Promise<RunnableBooking[]>;
  execute(booking: RunnableBooking, control: ExecutionControl): Promise<void>;
  /** Extends our leases on the bookings in flight (`ids`); returns the ids we still hold. */
  renew(ids: string[]): Promise<Set<string>>;
  /** Gives back every lease we hold. */
  releaseAll(): Promise<number>;
  intervalMs: number;
  heartbeatMs: number;
  /** How long a claim or a renewal holds a lease (LEASE_DURATION). */
  leaseMs: number;
  /** Bookings claimed per statement. */
  claimBatch: number;
  /** Bookings this process works on at once (most of them just wait on an operation). */
  maxInFlight: number;
  /** Parallel start phases (instance view + performMaintenance) per subscription. */
  startsPerSubscription: number;
  log?: ExecutionLog;
}

export interface Dispatcher {
  /** Stops claiming, lets in-flight bookings reach a safe point, releases the leases. */
  stop(): Promise<void>;
  inFlight(): number;
}

export function startDispatcher(opts: DispatcherOptions): Dispatcher {
  // `leaseUntil`: when our lease runs out as far as this process knows (claim or last successful renewal, measured
  // from before the statement was sent, so never later than the database's own expiry).
  const inFlight = new Map<string, { controller: AbortController; since: number; leaseUntil: number; done: Promise<void> }>();
  const limits = new Map<string, LimitFunction>();
  const loopStop = new AbortController();

  const startSlotFor = (subscriptionId: string): LimitFunction => {
    const key = subscriptionId.toLowerCase();
    let limit = limits.get(key);
    if (!limit) limits.set(key, (limit = pLimit(opts.startsPerSubscription)));
    return limit;
  };

  function launch(booking: RunnableBooking, claimedAt: number): void {
    // Our own lease ran out while the work went on (renewals failing) and we claimed the booking again: the
    // execution already running goes on alone — two in one process could both send.
    if (inFlight.has(booking.id)) return;
    const controller = new AbortController();
    const limit = startSlotFor(booking.vm.subscriptionId);
    const work = { controller, since: performance.now(), leaseUntil: claimedAt + opts.leaseMs, done: Promise.resolve() };
    const control: ExecutionControl = {
      signal: controller.signal,
      startSlot: (fn) => limit(fn),
      // Renewals come every heartbeat (a third of the lease): less than a third left means they are failing.
      leaseSafe: () => work.leaseUntil - performance.now() > opts.leaseMs / 3,
    };
    inFlight.set(booking.id, work);
    work.done = opts
      .execute(booking, control)
      .catch((err: unknown) => opts.log?.error({ err, bookingId: booking.id }, "booking execution failed"))
      .finally(() => inFlight.delete(booking.id));
  }

  async function loop(): Promise<void> {
    while (!loopStop.signal.aborted) {
      let claimed = 0;
      const free = opts.maxInFlight - inFlight.size;
      try {
        if (free > 0) {
          const claimedAt = performance.now();
          const bookings = await opts.claim(Math.min(free, opts.claimBatch));
          bookings.forEach((b) => launch(b, claimedAt));
          claimed = bookings.length;
        }
      } catch (err) {
        opts.log?.error({ err }, "claiming due bookings failed");
      }
      // A full batch means more may be due: claim again at once.
      if (claimed < opts.claimBatch) await sleep(opts.intervalMs, undefined, { signal: loopStop.signal }).catch(() => undefined);
    }
  }

  let renewing = false;
  const heartbeat = setInterval(() => {
    if (renewing || inFlight.size === 0) return;
    renewing = true;
    const asked = performance.now();
    opts
      .renew([...inFlight.keys()])
      .then((held) => {
        // Only bookings launched before the renewal was asked can be judged by its answer.
        for (const [id, work] of inFlight) {
          if (work.since >= asked) continue;
          if (held.has(id)) work.leaseUntil = asked + opts.leaseMs;
          else work.controller.abort(new Error("lease lost"));
        }
      })
      .catch((err: unknown) => opts.log?.warn({ err }, "lease heartbeat failed"))
      .finally(() => (renewing = false));
  }, opts.heartbeatMs);

  const looping = loop();
  let stopping: Promise<void> | undefined;
  return {
    inFlight: () => inFlight.size,
    stop() {
      stopping ??= (async () => {
        loopStop.abort();
        await looping;
        for (const work of inFlight.values()) work.controller.abort(new Error("stopping"));
        await Promise.allSettled([...inFlight.values()].map((w) => w.done));
        clearInterval(heartbeat);
        const released = await opts.releaseAll();
        opts.log?.info({ released }, "dispatcher stopped");
      })();
      return stopping;
    },
  };
}
