// Injected failures: the next matching request(s) fail with a given status and CloudError.
import type { FaultSpec } from "./types.js";

export interface FaultTarget {
  operation: string;
  subscriptionId: string | null;
  resourceId: string | null;
}

const DEFAULT_CODES: Record<number, string> = {
  400: "BadRequest", 404: "ResourceNotFound", 409: "Conflict", 429: "TooManyRequests",
  500: "InternalServerError", 502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout",
};

export class Faults {
  private pending: { spec: FaultSpec; left: number }[] = [];

  add(spec: FaultSpec): void {
    this.pending.push({ spec: { ...spec }, left: spec.times ?? 1 });
  }

  clear(): void {
    this.pending = [];
  }

  /** Consumes and returns the first fault matching the request, if any. */
  take(t: FaultTarget): (Required<Pick<FaultSpec, "status" | "code" | "message">> & Pick<FaultSpec, "retryAfterSeconds" | "policy">) | null {
    const eq = (a: string | undefined, b: string | null) => a === undefined || (b !== null && a.toLowerCase() === b.toLowerCase());
    const hit = this.pending.find(
      ({ spec }) => (spec.operation === undefined || spec.operation === t.operation) && eq(spec.subscriptionId, t.subscriptionId) && eq(spec.resourceId, t.resourceId),
    );
    if (!hit) return null;
    if (--hit.left <= 0) this.pending = this.pending.filter((p) => p !== hit);
    const { status, retryAfterSeconds, policy } = hit.spec;
    const code = hit.spec.code ?? DEFAULT_CODES[status] ?? "InjectedFault";
    return { status, code, message: hit.spec.message ?? `Injected fault ${status} ${code}.`, retryAfterSeconds, policy };
  }
}
