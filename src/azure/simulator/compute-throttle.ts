// The Compute resource provider's own call-rate policies, separate from ARM's per-subscription token buckets.
// Documented (https://learn.microsoft.com/troubleshoot/azure/virtual-machines/troubleshooting-throttling-errors):
// every answer names the policies covering the request in `x-ms-ratelimit-remaining-resource: <policy>;<count>`;
// over a limit Compute answers 429 with code OperationNotAllowed, a `details` entry naming the policy, and a
// Retry-After that can be long (1200 s in the documented example). Policy names and limits below are NOT
// documented: they are approximations from observed answers (see README "What we know about Azure").
import type { OperationName } from "./types.js";

export interface ComputePolicy {
  name: string;
  operations: OperationName[];
  /** Counted per subscription, or per target resource (one VM). */
  per: "subscription" | "resource";
  limit: number;
  windowSeconds: number;
}

const M3 = 180;
const M30 = 1800;

/** Approximate Compute limits for the operations this service uses (assumed, see README). */
export const COMPUTE_POLICIES: ComputePolicy[] = [
  { name: "Microsoft.Compute/PerformMaintenanceVM3Min", operations: ["performMaintenance"], per: "resource", limit: 4, windowSeconds: M3 },
  { name: "Microsoft.Compute/PerformMaintenanceVM30Min", operations: ["performMaintenance"], per: "resource", limit: 12, windowSeconds: M30 },
  { name: "Microsoft.Compute/PerformMaintenance3Min", operations: ["performMaintenance"], per: "subscription", limit: 500, windowSeconds: M3 },
  { name: "Microsoft.Compute/PerformMaintenance30Min", operations: ["performMaintenance"], per: "subscription", limit: 1500, windowSeconds: M30 },
  { name: "Microsoft.Compute/ListAllVMs3Min", operations: ["listVirtualMachines"], per: "subscription", limit: 300, windowSeconds: M3 },
  { name: "Microsoft.Compute/ListAllVMs30Min", operations: ["listVirtualMachines"], per: "subscription", limit: 900, windowSeconds: M30 },
];

export interface ComputeVerdict {
  /** `x-ms-ratelimit-remaining-resource`, one `<policy>;<count>` per policy, comma-separated; null: no policy. */
  header: string | null;
  /** Set when a policy is over its limit: the policy and seconds until its window ends. */
  throttled: { policy: ComputePolicy; retryAfterSeconds: number; measured: number } | null;
}

/** Fixed windows per policy and scope; windows run on wall-clock time (tests may freeze the simulator clock). */
export class ComputeThrottle {
  private readonly windows = new Map<string, { startedMs: number; count: number }>();

  constructor(
    private readonly policies: ComputePolicy[],
    private readonly clockMs: () => number = () => performance.now(),
  ) {}

  /** Every window starts afresh. */
  reset(): void {
    this.windows.clear();
  }

  /** Counts one request of `operation` and says what Compute would answer. */
  take(operation: string, subscriptionId: string, resourceId: string | null): ComputeVerdict {
    const applicable = this.policies.filter((p) => (p.operations as string[]).includes(operation));
    if (applicable.length === 0) return { header: null, throttled: null };
    const nowMs = this.clockMs();
    const states = applicable.map((policy) => {
      const scope = policy.per === "resource" ? (resourceId ?? subscriptionId) : subscriptionId;
      const key = `${policy.name}|${scope.toLowerCase()}`;
      let w = this.windows.get(key);
      if (!w || nowMs - w.startedMs >= policy.windowSeconds * 1000) this.windows.set(key, (w = { startedMs: nowMs, count: 0 }));
      return { policy, w };
    });
    const over = states.find(({ policy, w }) => w.count >= policy.limit);
    if (!over) states.forEach(({ w }) => w.count++);
    const header = states.map(({ policy, w }) => `${policy.name};${Math.max(0, policy.limit - w.count)}`).join(",");
    if (!over) return { header, throttled: null };
    const retryAfterSeconds = Math.max(1, Math.ceil((over.w.startedMs + over.policy.windowSeconds * 1000 - nowMs) / 1000));
    return { header, throttled: { policy: over.policy, retryAfterSeconds, measured: over.w.count + 1 } };
  }
}

/** Compute's 429 body, shaped like the documented example. */
export function computeThrottledError(policy: string, retryAfterSeconds: number, measured: number, limit: number) {
  const group = policy.split("/").pop() ?? policy;
  return {
    error: {
      code: "OperationNotAllowed",
      message: "The server rejected the request because too many requests have been received for this subscription.",
      details: [{ code: "TooManyRequests", target: group, message: JSON.stringify({ operationGroup: group, allowedRequestCount: limit, measuredRequestCount: measured, retryAfterSeconds }) }],
    },
  };
}
