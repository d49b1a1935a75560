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

export type RetryDecision = { retryAt: Date; delayMs: number } | { fail: "max-attempts" | "window-end" };

/**
 * Exponential backoff with full jitter (a uniform delay in [0, min(max, base·2^(n-1))), which spreads retries
 * of many bookings that failed together), raised to Azure's Retry-After when it asks for longer.
 */
export function decideRetry(input: RetryInput): RetryDecision {
  if (input.attempt >= input.maxAttempts) return { fail: "max-attempts" };
  const ceiling = Math.min(input.maxDelayMs, input.baseDelayMs * 2 ** (input.attempt - 1));
  const delayMs = Math.max(Math.floor(input.random() * ceiling), input.retryAfterMs ?? 0);
  const retryAt = new Date(input.now.getTime() + delayMs);
  if (input.windowEnd && retryAt.getTime() >= input.windowEnd.getTime()) return { fail: "window-end" };
  return { retryAt, delayMs };
}

export function retryFailureReason(fail: "max-attempts" | "window-end", attempts: number, lastError: string): string {
  return fail === "max-attempts"
    ? `Gave up after ${attempts} attempts; last: ${lastError}`
    : `The self-service window ends before another attempt could run; last: ${lastError}`;
}
