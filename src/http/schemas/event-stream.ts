// GET /v1/event-stream: where to resume.
import { Type } from "typebox";

const EVENT_ID = { pattern: "^[0-9]{1,15}$", description: "The `id` of the last event received: the stream resumes after it, replaying what was missed." };

export const EventStreamQuery = Type.Object({
  lastEventId: Type.Optional(Type.String({ ...EVENT_ID, description: `${EVENT_ID.description} For clients that cannot set headers; \`Last-Event-ID\` wins when both are sent.` })),
}, { additionalProperties: false });

export const EventStreamHeaders = Type.Object({
  "last-event-id": Type.Optional(Type.String(EVENT_ID)),
});
