// Client-side pacing for Azure's two kinds of throttling, so a sync or a burst of bookings spends the budget at the
// rate Azure refills it instead of running into 429 storms:
// - ARM's per-subscription token buckets (reads for GET, writes for everything else). The server's
//   `x-ms-ratelimit-remaining-subscription-*` headers lower our estimate (other replicas and tools spend the same
//   budget); ARM's own 429 empties the bucket until `Retry-After` has passed.
// - The Compute resource provider's named policies (`x-ms-ratelimit-remaining-resource: <policy>;<n>`), which are
//   separate from ARM's bucket: a Compute 429 (often with a long Retry-After) blocks only the operations those
//   policies cover — performMaintenance waiting 20 minutes must not stop the sync's instance-view reads.
// One ledger per process (src/scheduler/budget-broker.ts shares it with the job threads).
import { parseRetryAfter } from "./arm-errors.js";

export interface Budget {
  burst: number;
  perSecond: number;
}

export type BudgetKind = "reads" | "writes";

/** ARM's documented budgets per subscription and region. */
export const ARM_BUDGET: Record<BudgetKind, Budget> = {
  reads: { burst: 250, perSecond: 25 },
  writes: { burst: 200, perSecond: 10 },
};

/**
 * A token bucket that lets callers borrow: each reserve() takes a token and says how long to wait until it exists.
 * `reserveTokens` are never spent: requests granted here reach Azure after delays that vary (a new TLS connection,
 * a busy event loop), so Azure can see them closer together than they were granted — by up to `perSecond` tokens
 * for every second of that variation. The reserve absorbs it.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly budget: Budget,
    private readonly clockMs: () => number = () => performance.now(),
    private readonly reserveTokens = 0,
  ) {
    this.tokens = budget.burst - reserveTokens;
    this.at = clockMs();
  }

  private refill(): void {
    const now = this.clockMs();
    this.tokens = Math.min(this.budget.burst - this.reserveTokens, this.tokens + ((now - this.at) / 1000) * this.budget.perSecond);
    this.at = now;
  }

  /** How long a reservation made now would wait (ms), without making it. */
  peek(): number {
    this.refill();
    const after = this.tokens - 1;
    return after >= 0 ? 0 : Math.ceil((-after / this.budget.perSecond) * 1000);
  }

  /** Reserves one token; returns how long the caller must wait for it (ms, 0 when one is there). */
  reserve(): number {
    const wait = this.peek();
    this.tokens -= 1;
    return wait;
  }

  /** The server says only `remaining` are left. */
  observeRemaining(remaining: number): void {
    this.refill();
    this.tokens = Math.min(this.tokens, remaining - this.reserveTokens);
  }

  /** A 429: nothing is left until `retryAfterMs` from now. */
  exhaust(retryAfterMs: number): void {
    this.refill();
    this.tokens = Math.min(this.tokens, -(retryAfterMs / 1000) * this.budget.perSecond);
  }
}

/** One request, as the budget sees it. `operation`: src/azure/arm-operations.ts. */
export interface BudgetRequest {
  subscriptionId: string;
  kind: BudgetKind;
  operation: string;
}

/** What a response said about the budget. */
export interface BudgetAnswer {
  status: number;
  /** `x-ms-ratelimit-remaining-subscription-{reads|writes}`. */
  remainingSubscription: number | null;
  /** `x-ms-ratelimit-remaining-resource`: the Compute policies covering the request, with what is left of each. */
  resourcePolicies: { policy: string; remaining: number }[];
  retryAfterMs: number | null;
}

/** `ok`: send after `waitMs`. Otherwise the wait is longer than the caller may wait; nothing was reserved. */
export type Reservation = { ok: true; waitMs: number } | { ok: false; waitMs: number; reason: string };

export interface ArmBudget {
  reserve(request: BudgetRequest, maxWaitMs: number): Promise<Reservation>;
  observe(request: BudgetRequest, answer: BudgetAnswer): void;
}

/** Parses `Microsoft.Compute/HighCostGet3Min;159,Microsoft.Compute/HighCostGet30Min;799`. */
export function parseResourcePolicies(header: string | null | undefined): { policy: string; remaining: number }[] {
  if (!header) return [];
  return header.split(",").flatMap((part) => {
    const m = /^\s*([^;\s]+);\s*(\d+)\s*$/.exec(part);
    return m ? [{ policy: m[1], remaining: Number(m[2]) }] : [];
  });
}

/** A 429 whose answer names Compute policies is Compute's own (src/azure/simulator/compute-throttle.ts). */
const COMPUTE_DEFAULT_RETRY_MS = 60_000;
const ARM_DEFAULT_RETRY_MS = 1_000;

interface SubscriptionLedger {
  buckets: Record<BudgetKind, TokenBucket>;
  /** Compute policy → when it accepts requests again (clock ms). */
  blockedUntil: Map<string, number>;
  /** Operation → the Compute policies its answers named. */
  policiesOf: Map<string, Set<string>>;
}

/** The process's budget: ARM buckets and Compute policy blocks per subscription (lower-cased). */
export class ArmBudgetLedger implements ArmBudget {
  private readonly subscriptions = new Map<string, SubscriptionLedger>();

  constructor(
    private readonly budget: Record<BudgetKind, Budget> = ARM_BUDGET,
    private readonly clockMs: () => number = () => performance.now(),
  ) {}

  private ledger(subscriptionId: string): SubscriptionLedger {
    const key = subscriptionId.toLowerCase();
    let l = this.subscriptions.get(key);
    if (!l) {
      // One second of refill in reserve (at most half the burst): a second of delay variation never costs a 429.
      const bucket = (b: Budget) => new TokenBucket(b, this.clockMs, Math.min(b.burst / 2, b.perSecond));
      const buckets = { reads: bucket(this.budget.reads), writes: bucket(this.budget.writes) };
      this.subscriptions.set(key, (l = { buckets, blockedUntil: new Map(), policiesOf: new Map() }));
    }
    return l;
  }

  /** The longest Compute block on the operation, with the policy that causes it. */
  private computeWait(l: SubscriptionLedger, operation: string): { waitMs: number; policy: string | null } {
    const now = this.clockMs();
    let worst = { waitMs: 0, policy: null as string | null };
    for (const policy of l.policiesOf.get(operation) ?? []) {
      const waitMs = Math.ceil((l.blockedUntil.get(policy) ?? 0) - now);
      if (waitMs > worst.waitMs) worst = { waitMs, policy };
    }
    return worst;
  }

  reserveNow(request: BudgetRequest, maxWaitMs: number): Reservation {
    const l = this.ledger(request.subscriptionId);
    const bucket = l.buckets[request.kind];
    const compute = this.computeWait(l, request.operation);
    const waitMs = Math.max(compute.waitMs, bucket.peek());
    if (waitMs > maxWaitMs) {
      const reason = compute.policy && compute.waitMs >= waitMs
        ? `Azure Compute throttles ${request.operation} (policy ${compute.policy}) for another ${Math.ceil(waitMs / 1000)} s`
        : `ARM's ${request.kind} budget for subscription ${request.subscriptionId} is spent for another ${Math.ceil(waitMs / 1000)} s`;
      return { ok: false, waitMs, reason };
    }
    return { ok: true, waitMs: Math.max(compute.waitMs, bucket.reserve()) };
  }

  reserve(request: BudgetRequest, maxWaitMs: number): Promise<Reservation> {
    return Promise.resolve(this.reserveNow(request, maxWaitMs));
  }

  observe(request: BudgetRequest, answer: BudgetAnswer): void {
    const l = this.ledger(request.subscriptionId);
    if (answer.remainingSubscription !== null) l.buckets[request.kind].observeRemaining(answer.remainingSubscription);
    if (answer.resourcePolicies.length) {
      const known = l.policiesOf.get(request.operation) ?? new Set<string>();
      answer.resourcePolicies.forEach((p) => known.add(p.policy));
      l.policiesOf.set(request.operation, known);
    }
    if (answer.status !== 429) return;
    if (answer.resourcePolicies.length === 0) {
      l.buckets[request.kind].exhaust(answer.retryAfterMs ?? ARM_DEFAULT_RETRY_MS);
      return;
    }
    // Compute: the policies at 0 are the ones that refused (all named ones, if the answer says none is at 0).
    const spent = answer.resourcePolicies.filter((p) => p.remaining === 0);
    const until = this.clockMs() + (answer.retryAfterMs ?? COMPUTE_DEFAULT_RETRY_MS);
    for (const { policy } of spent.length ? spent : answer.resourcePolicies) l.blockedUntil.set(policy, Math.max(l.blockedUntil.get(policy) ?? 0, until));
  }
}

/** The budget-relevant parts of an ARM response. */
export function budgetAnswer(status: number, header: (name: string) => string | null | undefined, kind: BudgetKind): BudgetAnswer {
  const remaining = header(`x-ms-ratelimit-remaining-subscription-${kind}`);
  return {
    status,
    remainingSubscription: remaining !== null && remaining !== undefined && /^\d+$/.test(remaining.trim()) ? Number(remaining) : null,
    resourcePolicies: parseResourcePolicies(header("x-ms-ratelimit-remaining-resource")),
    retryAfterMs: parseRetryAfter(header("retry-after")),
  };
}
