// When to try a booking again after a transient failure. Pure: the clock and the random source are parameters.

export interface RetryInput {
  /** Number of the attempt that just failed (1-based). */
  attempt: number;
  maxAttempts: number;
  now: Date;
  /** End of the self-service window: no attempt is ever planned at or after it. */
  windowEnd: Date | null;
  /** From Azure's `Retry-After`, when it sent one: never retry sooner. */
  retryAfterMs: number | null;
  /** Uniform in [0, 1). */
  random: () => number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * When to try again, or why not: no attempt left, or the next one would start at or after the window end. A
 * window-end failure says when the retry would have been and whether Azure's Retry-After set that time, so the
 * booking ends at once, naming the wait, instead of sleeping through it.
 */
export type RetryDecision =
  | { retryAt: Date; delayMs: number }
  | { fail: "max-attempts" }
  | { fail: "window-end"; retryAt: Date; retryAfterMs: number | null };

/**
 * Exponential backoff with full jitter (a uniform delay in [0, min(max, base·2^(n-1))), which spreads retries
 * of many bookings that failed together), raised to Azure's Retry-After when it asks for longer.
 */
export function decideRetry(input: RetryInput): RetryDecision {
  if (input.attempt >= input.maxAttempts) return { fail: "max-attempts" };
  const ceiling = Math.min(input.maxDelayMs, input.baseDelayMs * 2 ** (input.attempt - 1));
  const delayMs = Math.max(Math.floor(input.random() * ceiling), input.retryAfterMs ?? 0);
  const retryAt = new Date(input.now.getTime() + delayMs);
  if (input.windowEnd && retryAt.getTime() >= input.windowEnd.getTime()) {
    return { fail: "window-end", retryAt, retryAfterMs: input.retryAfterMs !== null && input.retryAfterMs >= delayMs ? input.retryAfterMs : null };
  }
  return { retryAt, delayMs };
}

export function retryFailureReason(decision: Exclude<RetryDecision, { delayMs: number }>, attempts: number, lastError: string, windowEnd: Date | null): string {
  if (decision.fail === "max-attempts") return `Gave up after ${attempts} attempts; last: ${lastError}`;
  const end = windowEnd ? ` (${windowEnd.toISOString()})` : "";
  const wait = decision.retryAfterMs !== null
    ? `Azure asked to wait ${Math.ceil(decision.retryAfterMs / 1000)} s (Retry-After) before trying again, past the end of the self-service window${end}`
    : `The self-service window ends${end} before another attempt could run`;
  return `${wait}; last: ${lastError}`;
}
