// Calendar feeds: request and response schemas (and so openapi.yaml).
import { Type } from "typebox";
import { Cursor, Limit, Timestamp, Uuid, page } from "./common.js";

const FEED_URL_DESCRIPTION =
  "The secret feed URL (`/calendar/{token}.ics`; absolute when the service knows its public base URL). Anyone with it can read the feed: " +
  "it is shown only now and cannot be read again; delete the feed to revoke it.";

export const CalendarFeed = Type.Object(
  {
    id: Uuid,
    description: Type.Union([Type.String(), Type.Null()]),
    scope: Type.Union(
      [Type.Array(Type.Object({ subscriptionId: Type.String(), resourceGroup: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false })), Type.Null()],
      { description: "What the feed shows: its creator's scope assignments when it was made (null: everything). Later changes to the creator's scope do not change it." },
    ),
    principalId: Type.String({ description: "The creator's stable id (`oid` or `appid`)." }),
    createdBy: Type.String(),
    createdAt: Timestamp,
    lastFetchedAt: Type.Union([Timestamp, Type.Null()], { description: "When a calendar client last fetched the feed." }),
  },
  { $id: "CalendarFeed", additionalProperties: false, description: "A secret iCalendar feed URL for calendar clients, which cannot send bearer tokens." },
);

export const CalendarFeedCreated = Type.Object(
  { ...CalendarFeed.properties, url: Type.String({ description: FEED_URL_DESCRIPTION, examples: ["https://planner.contoso.com/calendar/q3Jx0b2VtZGV2aWNlLXRva2VuLWV4YW1wbGUtMTIzNDU2.ics"] }) },
  { additionalProperties: false, description: "The new feed, with its URL (shown only now)." },
);

export const CalendarFeedCreate = Type.Object(
  { description: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "Shown as the calendar's name.", examples: ["Team web: Azure maintenance"] })) },
  { additionalProperties: false },
);

export const CalendarFeedQuery = Type.Object(
  {
    all: Type.Optional(Type.Boolean({ default: false, description: "Everyone's feeds, not only the caller's (Maintenance.Admin without scope assignments)." })),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const CalendarFeedPage = page(Type.Ref("CalendarFeed"), "Calendar feeds, in id order.");

export const FeedTokenParams = Type.Object({ token: Type.String({ description: "The secret token from the feed's URL." }) }, { additionalProperties: false });
