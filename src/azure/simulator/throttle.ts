// ARM-style token buckets per subscription (reads for GET, writes for POST). Refill uses wall-clock time, not the
// simulator clock: tests often freeze `now`, and a frozen bucket would never refill.
import type { BucketOptions } from "./types.js";

export type BucketKind = "reads" | "writes";

/** ARM's documented per-subscription buckets (https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling). */
export const ARM_THROTTLE: Record<BucketKind, BucketOptions> = { reads: { burst: 250, perSecond: 25 }, writes: { burst: 200, perSecond: 10 } };

export interface TakeResult {
  ok: boolean;
  /** Whole tokens left after this request, for `x-ms-ratelimit-remaining-subscription-*`. */
  remaining: number;
  /** Seconds until one token is back (integer, at least 1), for `Retry-After` on a 429. */
  retryAfterSeconds: number;
}

export class Throttle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limits: Record<BucketKind, BucketOptions>,
    private readonly clockMs: () => number = () => performance.now(),
  ) {}

  /** Full buckets again, as after a long quiet spell. */
  reset(): void {
    this.buckets.clear();
  }

  take(subscriptionId: string, kind: BucketKind): TakeResult {
    const { burst, perSecond } = this.limits[kind];
    const key = `${subscriptionId.toLowerCase()}:${kind}`;
    const nowMs = this.clockMs();
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: nowMs };
    bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * perSecond);
    bucket.at = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
    }
    const wait = Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
    return { ok: false, remaining: 0, retryAfterSeconds: wait };
  }
}
