import { RestError, createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { parseRetryAfter, toArmError } from "../../src/azure/arm-errors.js";
import { ArmError } from "../../src/azure/gateway.js";

function restError(statusCode: number | undefined, code: string | undefined, headers: Record<string, string> = {}) {
  const request = createPipelineRequest({ url: "https://example.test" });
  const response = statusCode === undefined ? undefined : { request, status: statusCode, headers: createHttpHeaders(headers) };
  return new RestError("boom", { statusCode, code, request, response });
}

describe("toArmError", () => {
  it.each([
    [429, "TooManyRequests", true],
    [408, "RequestTimeout", true],
    [500, "InternalServerError", true],
    [503, "ServiceUnavailable", true],
    [409, "OperationNotAllowed", false],
    [409, "RetryLater", true],
    [404, "ResourceNotFound", false],
  ])("RestError %i %s → retryable %s", (status, code, retryable) => {
    const err = toArmError(restError(status, code));
    expect(err).toBeInstanceOf(ArmError);
    expect(err).toMatchObject({ statusCode: status, code, retryable, retryAfterMs: null });
  });

  it("reads Retry-After seconds and keeps the original as cause", () => {
    const original = restError(429, "TooManyRequests", { "retry-after": "17" });
    const err = toArmError(original);
    expect(err.retryAfterMs).toBe(17_000);
    expect(err.cause).toBe(original);
  });

  it("treats a RestError without a response as a retryable network failure", () => {
    expect(toArmError(restError(undefined, "REQUEST_SEND_ERROR"))).toMatchObject({ statusCode: null, retryable: true });
  });

  it("parses a Failed long-running operation", () => {
    const err = toArmError(new Error("The long-running operation has failed. InternalOperationError. Maintenance failed. Try again."));
    expect(err).toMatchObject({ statusCode: null, code: "InternalOperationError", retryable: false });
  });

  it("never marks a Failed long-running operation retryable, even with RetryLater (it has ended)", () => {
    const err = toArmError(new Error("The long-running operation has failed. RetryLater. Retry the operation later."));
    expect(err).toMatchObject({ statusCode: null, code: "RetryLater", retryable: false });
  });

  it("leaves unknown errors non-retryable and passes ArmErrors through", () => {
    expect(toArmError(new TypeError("bug"))).toMatchObject({ statusCode: null, code: null, retryable: false });
    const arm = new ArmError("x", { statusCode: 1, code: "c", retryable: true, retryAfterMs: 5 });
    expect(toArmError(arm)).toBe(arm);
    expect(toArmError(Object.assign(new Error("reset"), { code: "ECONNRESET" })).retryable).toBe(true);
  });
});

describe("parseRetryAfter", () => {
  it("accepts seconds and HTTP dates", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter("Wed, 21 Oct 2026 07:28:10 GMT", Date.parse("2026-10-21T07:28:00Z"))).toBe(10_000);
    expect(parseRetryAfter(undefined)).toBeNull();
    expect(parseRetryAfter("soon")).toBeNull();
  });
});
