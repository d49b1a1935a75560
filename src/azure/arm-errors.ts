// The one place where SDK and network failures become ArmError, so callers decide on `retryable` alone.
import { isRestError } from "@azure/core-rest-pipeline";
import { ArmError } from "./gateway.js";

/** Transient by code: throttling, timeouts, server errors, and Azure's own "try again later". */
function isTransient(statusCode: number | null, code: string | null): boolean {
  if (code === "RetryLater") return true;
  return statusCode === 408 || statusCode === 429 || (statusCode !== null && statusCode >= 500);
}

/** Errors thrown when no response arrived (Node socket codes and core-rest-pipeline's own). */
const NETWORK_CODES = new Set([
  "ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH",
  "REQUEST_SEND_ERROR", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT",
]);

/** `Retry-After` is seconds or an HTTP date (RFC 9110); ARM sends seconds. */
export function parseRetryAfter(value: string | undefined | null, nowMs = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** core-lro's message for a Failed operation: "The long-running operation has failed. <code>. <message>". */
const LRO_FAILED = /^The long-running operation has failed(?:\. ([^.\s]+)\. ([\s\S]*))?/;

/**
 * ARM's own `{"error":{"code","message"}}` from the response body. The SDK's paging helpers throw a generic
 * "Pagination failed with unexpected statusCode 403" and leave the useful text only there.
 */
function cloudError(body: string | null | undefined): { code: string | null; message: string | null } {
  try {
    const error = (JSON.parse(body ?? "") as { error?: { code?: unknown; message?: unknown } }).error;
    return { code: typeof error?.code === "string" ? error.code : null, message: typeof error?.message === "string" ? error.message : null };
  } catch {
    return { code: null, message: null };
  }
}

export function toArmError(err: unknown): ArmError {
  if (err instanceof ArmError) return err;
  if (isRestError(err)) {
    const statusCode = err.statusCode ?? null;
    if (statusCode === null) {
      return new ArmError(`ARM request failed without a response: ${err.message}`, { statusCode: null, code: err.code ?? null, retryable: true, retryAfterMs: null, cause: err });
    }
    const body = cloudError(err.response?.bodyAsText);
    const code = body.code ?? err.code ?? null;
    const retryAfterMs = parseRetryAfter(err.response?.headers.get("retry-after"));
    const message = body.message && !err.message.includes(body.message) ? `${body.message} (HTTP ${statusCode})` : err.message;
    return new ArmError(message, { statusCode, code, retryable: isTransient(statusCode, code), retryAfterMs, cause: err });
  }
  if (err instanceof Error) {
    const lro = LRO_FAILED.exec(err.message);
    if (lro) {
      // The operation has ended, whatever its code (even RetryLater): polling it again only repeats the same
      // answer, and trying again means a new performMaintenance — the execution's decision, not a transient error.
      return new ArmError(err.message, { statusCode: null, code: lro[1] ?? null, retryable: false, retryAfterMs: null, cause: err });
    }
    const sysCode = (err as NodeJS.ErrnoException).code;
    if (sysCode && NETWORK_CODES.has(sysCode)) {
      return new ArmError(`ARM request failed without a response: ${err.message}`, { statusCode: null, code: sysCode, retryable: true, retryAfterMs: null, cause: err });
    }
    return new ArmError(err.message, { statusCode: null, code: null, retryable: false, retryAfterMs: null, cause: err });
  }
  return new ArmError(String(err), { statusCode: null, code: null, retryable: false, retryAfterMs: null, cause: err });
}
