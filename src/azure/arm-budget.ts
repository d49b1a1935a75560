// Client-side pacing for ARM's per-subscription token buckets (reads for GET, writes for everything else), so a
// sync or a burst of bookings spends the budget at the rate ARM refills it instead of running into 429 storms.
// The server's `x-ms-ratelimit-remaining-subscription-*` headers lower our estimate (other replicas and tools
// spend the same budget); a 429 empties it until `Retry-After` has passed.
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { parseRetryAfter } from "./arm-errors.js";

export interface Budget {
  burst: number;
  perSecond: number;
}

/** ARM's documented budgets per subscription and region. */
export const ARM_BUDGET: Record<BudgetKind, Budget> = {
  reads: { burst: 250, perSecond: 25 },
  writes: { burst: 200, perSecond: 10 },
};

export type BudgetKind = "reads" | "writes";

/** A token bucket that lets callers borrow: each take() reserves a token and waits until it exists. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly budget: Budget,
    private readonly clockMs: () => number = () => performance.now(),
  ) {
    this.tokens = budget.burst;
    this.at = clockMs();
  }

  private refill(): void {
    const now = this.clockMs();
    this.tokens = Math.min(this.budget.burst, this.tokens + ((now - this.at) / 1000) * this.budget.perSecond);
    this.at = now;
  }

  /** Reserves one token; resolves to how long the caller must wait for it (ms, 0 when one is there). */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.budget.perSecond) * 1000);
  }

  /** The server says only `remaining` are left. */
  observeRemaining(remaining: number): void {
    this.refill();
    this.tokens = Math.min(this.tokens, remaining);
  }

  /** A 429: nothing is left until `retryAfterMs` from now. */
  exhaust(retryAfterMs: number): void {
    this.refill();
    this.tokens = Math.min(this.tokens, -(retryAfterMs / 1000) * this.budget.perSecond);
  }
}

export interface ArmRequestEvent {
  kind: BudgetKind;
  method: string;
  url: string;
  status: number | null;
  /** Time spent waiting for budget before sending. */
  waitedMs: number;
  durationMs: number;
}

/** The pipeline policy for one subscription's client. */
export function armBudgetPolicy(budget: Record<BudgetKind, Budget>, onRequest?: (e: ArmRequestEvent) => void): PipelinePolicy {
  const buckets: Record<BudgetKind, TokenBucket> = { reads: new TokenBucket(budget.reads), writes: new TokenBucket(budget.writes) };
  return {
    name: "maintenancePlannerArmBudget",
    async sendRequest(request: PipelineRequest, next): Promise<PipelineResponse> {
      const kind: BudgetKind = request.method === "GET" || request.method === "HEAD" ? "reads" : "writes";
      const bucket = buckets[kind];
      const waitedMs = bucket.reserve();
      if (waitedMs > 0) await new Promise((resolve) => setTimeout(resolve, waitedMs));
      const started = performance.now();
      let status: number | null = null;
      try {
        const response = await next(request);
        status = response.status;
        const remaining = Number(response.headers.get(`x-ms-ratelimit-remaining-subscription-${kind}`));
        if (Number.isFinite(remaining) && response.headers.has(`x-ms-ratelimit-remaining-subscription-${kind}`)) bucket.observeRemaining(remaining);
        if (response.status === 429) bucket.exhaust(parseRetryAfter(response.headers.get("retry-after")) ?? 1000);
        return response;
      } finally {
        onRequest?.({ kind, method: request.method, url: request.url, status, waitedMs, durationMs: performance.now() - started });
      }
    },
  };
}
