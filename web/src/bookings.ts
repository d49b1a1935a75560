// Booking actions the page offers. `bookSelection` is the one place that books several VMs: through
// POST /v1/booking-batches, each item answered on its own.
import { problemInWords, type Api } from "./api";
import type { Booking, Problem } from "./types";

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

/** The batch endpoint's limit per request. */
const BATCH_MAX = 5_000;

interface BatchAnswer {
  results: ({ index: number; status: number; booking: Booking; problem?: undefined } | { index: number; status: number; booking?: undefined; problem: Problem })[];
}

/** Books the items in batches (not atomic: each item that passes is booked); every item gets its own answer (a booking, or the problem in words). */
export async function bookSelection(api: Api, items: BookingInput[], onProgress?: (done: number) => void): Promise<SelectionResult[]> {
  const results: SelectionResult[] = [];
  for (let from = 0; from < items.length; from += BATCH_MAX) {
    const chunk = items.slice(from, from + BATCH_MAX);
    const body = { items: chunk.map((i) => ({ virtualMachineId: i.virtualMachineId, startAt: i.startAt, note: i.note || undefined })) };
    // One key per batch: a retried request (flaky network) cannot book twice.
    const answer = await api.send<BatchAnswer>("POST", "/v1/booking-batches", body, { "idempotency-key": idempotencyKey() });
    for (const r of answer.results) {
      const virtualMachineId = chunk[r.index].virtualMachineId;
      results.push(r.booking ? { virtualMachineId, booking: r.booking } : { virtualMachineId, error: problemInWords(r.problem!) });
    }
    onProgress?.(results.length);
  }
  return results;
}
