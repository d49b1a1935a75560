// Problem documents (RFC 9457) as a typed error: `code` is the service's stable problem code, so callers branch on
// it instead of on status codes or message text.

/** The API's problem document; extension members (e.g. `existingBookingId`, `earliestStartAt`) ride along. */
export interface ProblemDocument {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  requestId?: string;
  [extension: string]: unknown;
}

export class MaintenancePlannerError extends Error {
  override readonly name = "MaintenancePlannerError";
  /** The problem's `code` (e.g. `active-booking-exists`), or `http-<status>` when the body was no problem document. */
  readonly code: string;
  readonly status: number;
  readonly detail: string;
  readonly problem: ProblemDocument;
  readonly requestId: string | undefined;

  constructor(status: number, body: unknown) {
    const problem: ProblemDocument = isObject(body) ? (body as ProblemDocument) : { detail: typeof body === "string" ? body.slice(0, 500) : undefined };
    const code = typeof problem.code === "string" ? problem.code : `http-${status}`;
    const detail = typeof problem.detail === "string" ? problem.detail : typeof problem.title === "string" ? problem.title : `HTTP ${status}`;
    super(`${code}: ${detail}`);
    this.code = code;
    this.status = status;
    this.detail = detail;
    this.problem = problem;
    this.requestId = typeof problem.requestId === "string" ? problem.requestId : undefined;
  }
}

/** `waitForBooking` gave up: the booking was still active when the time ran out. */
export class WaitTimeoutError extends Error {
  override readonly name = "WaitTimeoutError";
  constructor(readonly bookingId: string, readonly state: string, readonly timeoutMs: number) {
    super(`booking ${bookingId} is still ${state} after ${Math.round(timeoutMs / 1000)} s`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
