// When a failed webhook delivery is tried again, and when a subscription that keeps failing is disabled. Pure:
// `now` and the random draw are parameters.

export interface WebhookRetryRules {
  /** Delay before attempt n+1 after attempt n failed (WEBHOOK_RETRY_SCHEDULE); past its end the delivery fails. */
  scheduleMs: readonly number[];
  /** A subscription whose deliveries have failed for this long without one success is disabled (WEBHOOK_DISABLE_AFTER). */
  disableAfterMs: number;
}

/** Each delay is spread ±20% so that deliveries which failed together do not all come back together. */
const JITTER = 0.2;

/** A 2xx answer is a delivery; anything else (and no answer) is a failure to retry. */
export function isDelivered(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}

/** The delay before the next attempt after `attempts` failed ones, or null when the schedule is used up. */
export function retryDelayMs(attempts: number, rules: WebhookRetryRules, random: number): number | null {
  const base = rules.scheduleMs[attempts - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random));
}

export interface FailureDecision {
  /** When to try again; null: the delivery has failed for good. */
  nextAttemptAt: Date | null;
  /** The subscription has failed for longer than disableAfterMs: disable it. */
  disable: boolean;
}

/**
 * After a failed attempt: `attempts` counts it; `failingSince` is the subscription's first failure since its last
 * success (this one, if there was none).
 */
export function afterFailure(attempts: number, failingSince: Date, now: Date, rules: WebhookRetryRules, random: number): FailureDecision {
  const delay = retryDelayMs(attempts, rules, random);
  return {
    nextAttemptAt: delay === null ? null : new Date(now.getTime() + delay),
    disable: now.getTime() - failingSince.getTime() >= rules.disableAfterMs,
  };
}
