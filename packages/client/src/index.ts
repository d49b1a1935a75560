export { MaintenancePlannerClient, createClient, unwrap, type ClientOptions, type WaitOptions } from "./client.js";
export { MaintenancePlannerError, WaitTimeoutError, type ProblemDocument } from "./errors.js";
export { retryAfterMs, type RetryOptions } from "./transport.js";
export * from "./types.js";
