// Booking actions the page offers. `bookSelection` is the one place that books several VMs: today one create per
// VM; when the service has POST /v1/booking-batches, only this function changes.
import { ApiError, type Api } from "./api";
import type { Booking } from "./types";

export interface BookingInput {
  virtualMachineId: string;
  /** UTC, RFC 3339. */
  startAt: string;
  note?: string | null;
}

const idempotencyKey = () => `portal-${crypto.randomUUID()}`;

export function createBooking(api: Api, input: BookingInput): Promise<Booking> {
  // A key per click: a retried request (flaky network) cannot book twice.
  return api.send<Booking>("POST", "/v1/bookings", { ...input, note: input.note || undefined }, { "idempotency-key": idempotencyKey() });
}

/** PATCH needs the booking's current ETag (If-Match): read it, then move. */
export async function moveBooking(api: Api, bookingId: string, startAt: string): Promise<Booking> {
  const { etag } = await api.getWithEtag<Booking>(`/v1/bookings/${bookingId}`);
  return api.send<Booking>("PATCH", `/v1/bookings/${bookingId}`, { startAt }, etag ? { "if-match": etag } : {});
}

export function cancelBooking(api: Api, bookingId: string): Promise<Booking> {
  return api.send<Booking>("POST", `/v1/bookings/${bookingId}/cancel`);
}

export type SelectionResult = { virtualMachineId: string; booking: Booking; error?: undefined } | { virtualMachineId: string; booking?: undefined; error: string };

/** Books each item; every item gets its own answer (a booking, or the problem in words). */
export async function bookSelection(api: Api, items: BookingInput[], onProgress?: (done: number) => void): Promise<SelectionResult[]> {
  const results: SelectionResult[] = [];
  for (const item of items) {
    try {
      results.push({ virtualMachineId: item.virtualMachineId, booking: await createBooking(api, item) });
    } catch (error) {
      results.push({ virtualMachineId: item.virtualMachineId, error: error instanceof ApiError ? error.message : String(error) });
    }
    onProgress?.(results.length);
  }
  return results;
}
