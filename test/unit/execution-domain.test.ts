import { describe, expect, it } from "vitest";
import {
  classifyError, classifyOperationLost, classifyReadiness, classifySucceeded, decideMisfire, OPERATION_LOST_CODE, SUCCEEDED_NOT_SHOWN_CODE,
  type ExecutionError,
} from "../../src/domain/execution.js";
import type { MaintenanceStatus } from "../../src/domain/maintenance.js";

const NOW = new Date("2026-11-25T10:00:00Z");
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const open: MaintenanceStatus = {
  customerInitiatedMaintenanceAllowed: true,
  selfServiceWindow: { start: at(-60), end: at(60) },
  scheduledWindow: { start: at(120), end: at(600) },
  lastOperationResultCode: "None",
  lastOperationMessage: null,
};
const error = (e: Partial<ExecutionError>): ExecutionError => ({
  phase: "start", statusCode: null, code: null, message: "boom", retryable: false, retryAfterMs: null, ...e,
});

describe("decideMisfire", () => {
  it("runs a booking that is on time or late within the grace period while the window is open", () => {
    expect(decideMisfire(NOW, NOW, at(60), 3600)).toEqual({ run: true });
    expect(decideMisfire(at(-59), NOW, at(60), 3600)).toEqual({ run: true });
    expect(decideMisfire(at(-59), NOW, null, 3600)).toEqual({ run: true });
  });
  it("misses a booking later than the grace period, or whose window has ended", () => {
    expect(decideMisfire(at(-60), NOW, at(60), 3600)).toMatchObject({ run: false, reason: expect.stringContaining("3600 s") });
    expect(decideMisfire(at(-1), NOW, NOW, 3600)).toMatchObject({ run: false, reason: expect.stringContaining("window ended") });
  });
});

describe("classifyReadiness", () => {
  it("proceeds while maintenance is pending and allowed", () => {
    expect(classifyReadiness(open, NOW, false)).toEqual({ kind: "proceed" });
    expect(classifyReadiness({ ...open, lastOperationResultCode: "RetryLater" }, NOW, false)).toEqual({ kind: "proceed" });
  });
  it("is not needed when nothing is pending or Azure already completed it", () => {
    expect(classifyReadiness(null, NOW, false)).toMatchObject({ kind: "not-needed" });
    expect(classifyReadiness({ ...open, lastOperationResultCode: "MaintenanceCompleted" }, NOW, false)).toMatchObject({ kind: "not-needed" });
    expect(classifyReadiness({ ...open, scheduledWindow: { start: at(-200), end: at(-100) }, selfServiceWindow: { start: at(-300), end: at(-250) } }, NOW, false)).toMatchObject({ kind: "not-needed" });
  });
  it("counts MaintenanceCompleted as ours when an earlier attempt may have started it", () => {
    expect(classifyReadiness({ ...open, lastOperationResultCode: "MaintenanceCompleted" }, NOW, true)).toEqual({ kind: "completed" });
  });
  it("is not allowed yet when Azure refuses customer-initiated maintenance (e.g. while one runs)", () => {
    expect(classifyReadiness({ ...open, customerInitiatedMaintenanceAllowed: false }, NOW, true)).toMatchObject({ kind: "not-allowed-yet" });
    expect(classifyReadiness({ ...open, selfServiceWindow: { start: at(10), end: at(60) } }, NOW, false)).toMatchObject({ kind: "not-allowed-yet" });
  });
});

describe("classifySucceeded", () => {
  it("completes on MaintenanceCompleted, skips on MaintenanceAborted, otherwise re-checks later", () => {
    expect(classifySucceeded({ ...open, lastOperationResultCode: "MaintenanceCompleted" })).toEqual({ kind: "completed" });
    expect(classifySucceeded({ ...open, lastOperationResultCode: "MaintenanceAborted", lastOperationMessage: "aborted" })).toEqual({ kind: "skipped", code: "MaintenanceAborted", message: "aborted" });
    expect(classifySucceeded(open)).toMatchObject({ kind: "retry", attemptOutcome: "retryable-error" });
  });

  it("marks the re-check so later attempts never send again and exhaustion counts as completed", () => {
    expect(classifySucceeded(open)).toMatchObject({ code: SUCCEEDED_NOT_SHOWN_CODE, operationSucceeded: true });
  });
});

describe("classifyOperationLost", () => {
  it("retries under a code that later attempts count as a possible start", () => {
    expect(classifyOperationLost()).toMatchObject({ kind: "retry", attemptOutcome: "retryable-error", code: OPERATION_LOST_CODE });
  });
});

describe("classifyError", () => {
  it("retries what ARM marks retryable, keeping Retry-After", () => {
    expect(classifyError(error({ statusCode: 429, code: "TooManyRequests", retryable: true, retryAfterMs: 3000 }), NOW, at(60))).toEqual({
      kind: "retry", attemptOutcome: "retryable-error", reason: "TooManyRequests: boom", retryAfterMs: 3000,
    });
  });
  it("treats OperationNotAllowed as not-allowed-yet inside the window and as failed after it", () => {
    const e = error({ statusCode: 409, code: "OperationNotAllowed" });
    expect(classifyError(e, NOW, at(60))).toMatchObject({ kind: "retry", attemptOutcome: "not-allowed-yet" });
    expect(classifyError(e, at(61), at(60))).toMatchObject({ kind: "failed", reason: expect.stringContaining("window has closed") });
  });
  it("skips on a Failed operation and fails on other non-retryable errors", () => {
    expect(classifyError(error({ phase: "operation", code: "InternalExecutionError" }), NOW, at(60))).toEqual({ kind: "skipped", code: "InternalExecutionError", message: "boom" });
    expect(classifyError(error({ statusCode: 404, code: "ResourceNotFound" }), NOW, at(60))).toMatchObject({ kind: "failed" });
    expect(classifyError(error({ phase: "operation", statusCode: 404 }), NOW, at(60))).toMatchObject({ kind: "failed" });
  });
});
