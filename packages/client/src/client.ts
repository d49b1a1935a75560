// The client: the generated, typed openapi-fetch client (`api`, any route in openapi.yaml) over the transport
// (tokens, retries), plus what every caller would otherwise write by hand — paged iteration, idempotent creates,
// If-Match on changes, waiting for a booking to end — with problems thrown as MaintenancePlannerError.
import { randomUUID } from "node:crypto";
import type { TokenCredential } from "@azure/identity";
import createFetchClient, { type Client } from "openapi-fetch";
import { MaintenancePlannerError, WaitTimeoutError } from "./errors.js";
import { createTransport, type Auth, type RetryOptions } from "./transport.js";
import {
  isFinalBookingState, type Booking, type BookingBatch, type CreateBookingBatchBody, type CreateBookingBody, type ListBookingsQuery, type ListItem, type ListPath, type ListQuery,
  type ListVirtualMachinesQuery, type paths, type UpdateBookingBody, type VirtualMachine,
} from "./types.js";

export interface ClientOptions {
  /** The service's base URL. Default http://127.0.0.1:3000. */
  baseUrl?: string;
  /** A bearer token to send as is (wins over `scope`). */
  token?: string;
  /** Entra scope to get tokens for, e.g. `api://maintenance-planner/.default`; unset with no token: no Authorization. */
  scope?: string;
  /** Used with `scope`. Default: DefaultAzureCredential. */
  credential?: TokenCredential;
  retry?: RetryOptions;
  /** For tests and proxies. Default: global fetch. */
  fetch?: typeof fetch;
}

type Result<T> = { data?: T; error?: unknown; response: Response };

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Called with each booking read while waiting. */
  onPoll?: (booking: Booking) => void;
}

export class MaintenancePlannerClient {
  /** The typed openapi-fetch client for every route in openapi.yaml (tokens and retries included). */
  readonly api: Client<paths>;
  readonly baseUrl: string;
  private readonly transport: (request: Request) => Promise<Response>;

  constructor(options: ClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
    const auth: Auth = options.token
      ? { token: options.token }
      : options.scope
        ? { credential: options.credential ?? null, scope: options.scope }
        : null;
    this.transport = createTransport(auth, options.retry, options.fetch);
    this.api = createFetchClient<paths>({ baseUrl: this.baseUrl, fetch: this.transport });
  }

  /** Every item of a list route, page by page, following each page's `nextLink`. */
  async *list<P extends ListPath>(path: P, query?: ListQuery<P>): AsyncGenerator<ListItem<P>> {
    for await (const page of this.pages(path, query)) yield* page;
  }

  async *pages<P extends ListPath>(path: P, query?: ListQuery<P>): AsyncGenerator<ListItem<P>[]> {
    type Page = { value: ListItem<P>[]; nextLink: string | null };
    // The first page through the typed client (its query serialisation); then the server's own links.
    const get = this.api.GET as (path: string, init: { params: { query?: unknown } }) => Promise<Result<Page>>;
    let page = unwrap(await get(path, { params: { query } }));
    yield page.value;
    while (page.nextLink) {
      const response = await this.transport(new Request(this.resolve(page.nextLink), { headers: { accept: "application/json" } }));
      page = await readJson<Page>(response);
      yield page.value;
    }
  }

  listVirtualMachines(query?: ListVirtualMachinesQuery): AsyncGenerator<VirtualMachine> {
    return this.list("/v1/virtual-machines", query);
  }

  listBookings(query?: ListBookingsQuery): AsyncGenerator<Booking> {
    return this.list("/v1/bookings", query);
  }

  async getVirtualMachine(id: string) {
    return unwrap(await this.api.GET("/v1/virtual-machines/{id}", { params: { path: { id } } }));
  }

  async getBooking(id: string): Promise<Booking> {
    return unwrap(await this.api.GET("/v1/bookings/{id}", { params: { path: { id } } }));
  }

  /**
   * Books a VM. One Idempotency-Key per call (yours, or a new one), sent on every retry of this call, so a lost
   * response never makes a second booking.
   */
  async createBooking(body: CreateBookingBody, options: { idempotencyKey?: string } = {}): Promise<Booking> {
    const key = options.idempotencyKey ?? randomUUID();
    return unwrap(await this.api.POST("/v1/bookings", { body, params: { header: { "idempotency-key": key } } }));
  }

  /**
   * Books many VMs in one request (up to 5,000 items; `atomic: true`: all or none). Each item is answered with its
   * booking or the problem `createBooking` would raise for it; the call itself throws only when the request fails
   * as a whole (e.g. 422 `booking-batch-refused` for an atomic batch). One Idempotency-Key per call, as for
   * `createBooking`.
   */
  async createBookingBatch(body: CreateBookingBatchBody, options: { idempotencyKey?: string } = {}): Promise<BookingBatch> {
    const key = options.idempotencyKey ?? randomUUID();
    return unwrap(await this.api.POST("/v1/booking-batches", { body, params: { header: { "idempotency-key": key } } }));
  }

  /** Changes a scheduled booking's start or note; without `ifMatch`, against the version read just before. */
  async updateBooking(id: string, body: UpdateBookingBody, options: { ifMatch?: string } = {}): Promise<Booking> {
    const ifMatch = options.ifMatch ?? (await this.etagOf(id));
    return unwrap(await this.api.PATCH("/v1/bookings/{id}", { body, params: { path: { id }, header: { "if-match": ifMatch } } }));
  }

  async cancelBooking(id: string): Promise<Booking> {
    return unwrap(await this.api.POST("/v1/bookings/{id}/cancel", { params: { path: { id } } }));
  }

  /** Polls until the booking is final (any state but scheduled, held or running) and returns it; WaitTimeoutError otherwise. */
  async waitForBooking(id: string, options: WaitOptions = {}): Promise<Booking> {
    const { timeoutMs = 2 * 3_600_000, intervalMs = 10_000 } = options;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const booking = await this.getBooking(id);
      options.onPoll?.(booking);
      if (isFinalBookingState(booking.state)) return booking;
      if (Date.now() + intervalMs > deadline) throw new WaitTimeoutError(id, booking.state, timeoutMs);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  private async etagOf(id: string): Promise<string> {
    const result = await this.api.GET("/v1/bookings/{id}", { params: { path: { id } } });
    unwrap(result);
    const etag = result.response.headers.get("etag");
    if (!etag) throw new Error(`GET /v1/bookings/${id} answered without an ETag`);
    return etag;
  }

  /** A `nextLink` is relative to the service's root; keep any path prefix of baseUrl (a reverse proxy's). */
  private resolve(link: string): string {
    return /^https?:\/\//.test(link) ? link : `${this.baseUrl}${link.startsWith("/") ? "" : "/"}${link}`;
  }
}

export function createClient(options: ClientOptions = {}): MaintenancePlannerClient {
  return new MaintenancePlannerClient(options);
}

/** The data of a successful openapi-fetch result; a problem (or any error status) as MaintenancePlannerError. */
export function unwrap<T>(result: Result<T>): T {
  if (result.error !== undefined || !result.response.ok) throw new MaintenancePlannerError(result.response.status, result.error);
  return result.data as T;
}

async function readJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text for the error
  }
  if (!response.ok) throw new MaintenancePlannerError(response.status, body);
  return body as T;
}
