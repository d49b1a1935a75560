// Names for the generated types. Everything here is derived from openapi.yaml (./generated/openapi.ts): a new
// route or field needs no edit here, and a list route (a GET answering `{ value, nextLink }`) can be iterated.
import type { components, paths } from "./generated/openapi.js";

export type { components, paths };
export type Schemas = components["schemas"];
export type Booking = Schemas["Booking"];
export type BookingState = Booking["state"];
export type VirtualMachine = Schemas["VirtualMachine"];
export type Problem = Schemas["Problem"];

type JsonOf<Op, Status extends number> = Op extends { responses: { [S in Status]: { content: { "application/json": infer Body } } } } ? Body : never;
type GetOf<P extends keyof paths> = paths[P] extends { get: infer Op } ? Op : never;

/** Paths whose GET answers a page: `{ value: T[], nextLink: string | null }`. */
export type ListPath = {
  [P in keyof paths]: JsonOf<GetOf<P>, 200> extends { value: unknown[]; nextLink: string | null } ? P : never;
}[keyof paths];

export type ListQuery<P extends ListPath> = GetOf<P> extends { parameters: { query?: infer Q } } ? Omit<NonNullable<Q>, "cursor"> : never;
export type ListItem<P extends ListPath> = JsonOf<GetOf<P>, 200> extends { value: (infer T)[] } ? T : never;

export type CreateBookingBody = NonNullable<paths["/v1/bookings"]["post"]["requestBody"]>["content"]["application/json"];
export type CreateBookingBatchBody = NonNullable<paths["/v1/booking-batches"]["post"]["requestBody"]>["content"]["application/json"];
export type BookingBatch = JsonOf<paths["/v1/booking-batches"]["post"], 200>;
export type UpdateBookingBody = NonNullable<paths["/v1/bookings/{id}"]["patch"]["requestBody"]>["content"]["application/json"];
export type ListVirtualMachinesQuery = ListQuery<"/v1/virtual-machines">;
export type ListBookingsQuery = ListQuery<"/v1/bookings">;

/**
 * Active bookings may still change (`held`: its maintenance group is past its error budget until resumed); every
 * other state is final (openapi.yaml, Booking.state), including states added later.
 */
export const ACTIVE_BOOKING_STATES: readonly string[] = ["scheduled", "held", "running"];
export const isFinalBookingState = (state: string): boolean => !ACTIVE_BOOKING_STATES.includes(state);
