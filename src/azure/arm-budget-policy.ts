// The SDK pipeline policy that makes every ARM request (retries and LRO polls included) pass the process's budget
// (arm-budget.ts) first. A caller that must not wait long — the scheduler, whose lease and self-service window
// run on — sets `maxWaitMs`: a longer wait is not slept through but refused at once with a retryable ArmError that
// carries the wait, and the execution's retry policy decides (src/domain/retry-policy.ts).
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { setTimeout as sleep } from "node:timers/promises";
import { budgetAnswer, type ArmBudget, type BudgetKind, type BudgetRequest } from "./arm-budget.js";
import { armOperation } from "./arm-operations.js";
import { ArmError } from "./gateway.js";

export interface ArmRequestEvent {
  kind: BudgetKind;
  method: string;
  url: string;
  /** null: no response (network error), or not sent (the wait was refused). */
  status: number | null;
  /** Time spent waiting for budget before sending. */
  waitedMs: number;
  durationMs: number;
}

/** The code of the ArmError for a request refused before sending because its wait would exceed `maxWaitMs`. */
export const BUDGET_WAIT_REFUSED = "ClientThrottled";

export function armBudgetPolicy(
  subscriptionId: string,
  budget: ArmBudget,
  opts: { maxWaitMs?: number; onRequest?: (e: ArmRequestEvent) => void } = {},
): PipelinePolicy {
  return {
    name: "maintenancePlannerArmBudget",
    async sendRequest(request: PipelineRequest, next): Promise<PipelineResponse> {
      const kind: BudgetKind = request.method === "GET" || request.method === "HEAD" ? "reads" : "writes";
      const asked: BudgetRequest = { subscriptionId, kind, operation: armOperation(request.method, request.url) };
      const reservation = await budget.reserve(asked, opts.maxWaitMs ?? Number.POSITIVE_INFINITY);
      if (!reservation.ok) {
        opts.onRequest?.({ kind, method: request.method, url: request.url, status: null, waitedMs: 0, durationMs: 0 });
        throw new ArmError(`Not sent: ${reservation.reason}.`, {
          statusCode: 429, code: BUDGET_WAIT_REFUSED, retryable: true, retryAfterMs: reservation.waitMs,
        });
      }
      if (reservation.waitMs > 0) await sleep(reservation.waitMs, undefined, { signal: request.abortSignal as AbortSignal | undefined });
      const started = performance.now();
      let status: number | null = null;
      try {
        const response = await next(request);
        status = response.status;
        budget.observe(asked, budgetAnswer(response.status, (name) => response.headers.get(name), kind));
        return response;
      } finally {
        opts.onRequest?.({ kind, method: request.method, url: request.url, status, waitedMs: reservation.waitMs, durationMs: performance.now() - started });
      }
    },
  };
}
