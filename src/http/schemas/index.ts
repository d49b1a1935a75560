// Schemas registered with `app.addSchema` so routes (and openapi.yaml's components) refer to them by name.
import { BookingBatchItem } from "./booking-batches.js";
import { Booking } from "./bookings.js";
import { CalendarFeed } from "./calendar-feeds.js";
import { Blackout, MaintenanceWindow } from "./calendars.js";
import { Problem } from "./common.js";
import { MaintenanceGroup } from "./maintenance-groups.js";
import { AuditEvent, ScopeAssignment } from "./security.js";
import { SyncRun } from "./sync-runs.js";
import { VirtualMachine } from "./virtual-machines.js";
import { WebhookDelivery, WebhookSubscription } from "./webhooks.js";

export const SHARED_SCHEMAS = [
  Problem, VirtualMachine, SyncRun, Booking, BookingBatchItem, ScopeAssignment, AuditEvent, MaintenanceWindow, Blackout, CalendarFeed, MaintenanceGroup,
  WebhookSubscription, WebhookDelivery,
];
