import { Type } from "typebox";
import { BookingCreate } from "./bookings.js";
import { Uuid } from "./common.js";

/** At least the 1,000 the issue asks for, with room; one transaction of this many stays well under a second. */
export const BOOKING_BATCH_MAX_ITEMS = 5000;
/**
 * The batch route's body limit (every other route keeps 64 KiB): 5,000 items of about 1 KiB each. An item without a
 * note is about 120 bytes; long notes in a large batch may need the batch split.
 */
export const BOOKING_BATCH_BODY_LIMIT = 5 * 1024 * 1024;

export const BookingBatchCreate = Type.Object(
  {
    items: Type.Array(BookingCreate, {
      minItems: 1,
      maxItems: BOOKING_BATCH_MAX_ITEMS,
      description: `1–${BOOKING_BATCH_MAX_ITEMS} creates, each as the body of POST /v1/bookings. A VM named twice: the later item is \`active-booking-exists\`, as a second create would be.`,
    }),
    atomic: Type.Optional(Type.Boolean({ default: false, description: "true: create all items or none (any item that fails: 422 `booking-batch-refused`, nothing written). false: create every item that passes." })),
  },
  {
    additionalProperties: false,
    examples: [{ items: [{ virtualMachineId: "0b5e3c2a-7d4f-4e58-9a51-2f1f0f6f3c11", startAt: "2026-11-27T18:00:00+01:00", note: "Patch night" }], atomic: false }],
  },
);

export const BookingBatchItem = Type.Object(
  {
    index: Type.Integer({ minimum: 0, description: "The item's position in `items`, from 0." }),
    status: Type.Integer({ description: "201 when the booking was created (`booking`); otherwise the status POST /v1/bookings would answer for this item (`problem`).", examples: [201, 409] }),
    booking: Type.Optional(Type.Ref("Booking")),
    problem: Type.Optional(Type.Ref("Problem")),
  },
  { $id: "BookingBatchItem", additionalProperties: false, description: "One item's result: exactly one of `booking` and `problem`." },
);

export const BookingBatchResult = Type.Object(
  {
    id: { ...Uuid, description: "The batch (the audit trail's `booking-batch.created` event names it)." },
    atomic: Type.Boolean(),
    results: Type.Array(Type.Ref("BookingBatchItem"), { description: "One per item, in request order." }),
    created: Type.Integer({ minimum: 0, description: "Items created." }),
    failed: Type.Integer({ minimum: 0, description: "Items not created." }),
  },
  { additionalProperties: false, description: "Each item's booking or problem." },
);
