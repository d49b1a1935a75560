// What a calendar feed shows, as plain events (src/http/calendar-ics.ts writes them as iCalendar). Pure: the
// bookings and VMs come in, `links` makes the URLs. Times are instants (UTC); UIDs are stable, so a calendar
// client updates an event in place when its booking changes state or its window moves.
import { ACTIVE_STATES, type BookingState } from "./booking-states.js";
import { isUnbooked } from "./deadlines.js";
import type { MaintenanceStatus } from "./maintenance.js";

/** Bookings that ended (any final state) this long ago or less are still shown. */
export const RECENT_BOOKING_DAYS = 30;
/** How long a booking that has not finished is shown: how long maintenance takes is not known in advance. */
export const BOOKING_EVENT_MINUTES = 30;

export interface FeedBooking {
  id: string;
  startAt: Date;
  state: BookingState;
  stateReason: string | null;
  note: string | null;
  createdBy: string;
  updatedAt: Date;
  finishedAt: Date | null;
  vm: { id: string; name: string; resourceId: string };
}

export interface FeedVm {
  id: string;
  name: string;
  resourceId: string;
  maintenanceReadAt: Date | null;
  status: MaintenanceStatus;
  /** When the maintenance last changed (window history), else when it was read. */
  changedAt: Date;
  /** The VM's most recently changed booking (the active one, when there is one). */
  latestBooking: { id: string; state: BookingState; startAt: Date; updatedAt: Date } | null;
}

export interface FeedEvent {
  uid: string;
  start: Date;
  end: Date;
  /** DTSTAMP: when what the event says last changed. */
  stamp: Date;
  summary: string;
  description: string;
  /** Absolute link (set only when the service knows its public base URL). */
  url: string | null;
  status: "CONFIRMED" | "CANCELLED";
  /** Windows are long and only informative: they must not mark anyone busy. */
  transparent: boolean;
}

export interface FeedLinks {
  booking(id: string): string;
  virtualMachine(id: string): string;
  /** Whether the links are absolute (usable as an event's URL). */
  absolute: boolean;
}

const UID_DOMAIN = "maintenance-planner";
const DID_NOT_HAPPEN: readonly BookingState[] = ["cancelled", "missed", "invalidated", "not-needed"];
const RAN: readonly BookingState[] = ["completed", "failed", "skipped"];

const utc = (d: Date) => d.toISOString().replace(/:\d\d\.\d{3}Z$/, "Z");

function bookingEvent(b: FeedBooking, links: FeedLinks): FeedEvent {
  const planned = new Date(b.startAt.getTime() + BOOKING_EVENT_MINUTES * 60_000);
  // A booking that ran is shown until it finished; any other until its nominal end.
  const end = RAN.includes(b.state) && b.finishedAt && b.finishedAt > b.startAt ? b.finishedAt : planned;
  const lines = [
    `Maintenance of VM ${b.vm.name} (${b.vm.resourceId}), booked for ${utc(b.startAt)} by ${b.createdBy}.`,
    `State: ${b.state}${b.stateReason ? ` — ${b.stateReason}` : ""}`,
    ...(b.note ? [`Note: ${b.note}`] : []),
    `Booking: ${links.booking(b.id)}`,
    `VM: ${links.virtualMachine(b.vm.id)}`,
  ];
  return {
    uid: `booking-${b.id}@${UID_DOMAIN}`,
    start: b.startAt,
    end,
    stamp: b.updatedAt,
    summary: `Maintenance of ${b.vm.name}: ${b.state}`,
    description: lines.join("\n"),
    url: links.absolute ? links.booking(b.id) : null,
    status: DID_NOT_HAPPEN.includes(b.state) ? "CANCELLED" : "CONFIRMED",
    transparent: false,
  };
}

const WINDOWS = [
  { kind: "self-service-window", title: "Self-service window", of: (s: MaintenanceStatus) => s.selfServiceWindow,
    says: "its owner may start maintenance in this window; book a time before it ends." },
  { kind: "scheduled-window", title: "Scheduled window", of: (s: MaintenanceStatus) => s.scheduledWindow,
    says: "Azure maintains (reboots) the VM in this window unless its maintenance was done before." },
] as const;

function windowEvents(vm: FeedVm, now: Date, links: FeedLinks): FeedEvent[] {
  const active = vm.latestBooking && ACTIVE_STATES.includes(vm.latestBooking.state) ? vm.latestBooking : null;
  const unbooked = isUnbooked({ status: vm.status, maintenanceKnown: vm.maintenanceReadAt !== null, activeBooking: active !== null }, now);
  const state = active ? `booked for ${utc(active.startAt)}` : unbooked ? "unbooked" : "not bookable";
  // A booking made, moved or ended changes what the window events say, so it counts as their last revision too.
  const stamp = vm.latestBooking && vm.latestBooking.updatedAt > vm.changedAt ? vm.latestBooking.updatedAt : vm.changedAt;
  const seeAlso = [...(active ? [`Booking: ${links.booking(active.id)}`] : []), `VM: ${links.virtualMachine(vm.id)}`];
  return WINDOWS.flatMap(({ kind, title, of, says }) => {
    const { start, end } = of(vm.status);
    if (!start || !end || end <= start) return [];
    return [{
      uid: `${kind}-${vm.id}@${UID_DOMAIN}`, start, end, stamp,
      summary: `${title} of ${vm.name}: ${state}`,
      description: [`${title} of VM ${vm.name} (${vm.resourceId}): ${says}`, ...seeAlso].join("\n"),
      url: links.absolute ? links.virtualMachine(vm.id) : null,
      status: "CONFIRMED" as const,
      transparent: true,
    }];
  });
}

/** The feed's events: one per booking given, then per self-service and scheduled window of each VM given. */
export function feedEvents(bookings: FeedBooking[], vms: FeedVm[], now: Date, links: FeedLinks): FeedEvent[] {
  return [...bookings.map((b) => bookingEvent(b, links)), ...vms.flatMap((vm) => windowEvents(vm, now, links))];
}

/** Links from a feed: absolute under the public base URL (PUBLIC_BASE_URL) when there is one, else relative. */
export function feedLinks(publicBaseUrl: string | null): FeedLinks & { feed(token: string): string } {
  const base = publicBaseUrl ?? "";
  return {
    feed: (token) => `${base}/calendar/${token}.ics`,
    booking: (id) => `${base}/v1/bookings/${id}`,
    virtualMachine: (id) => `${base}/v1/virtual-machines/${id}`,
    absolute: publicBaseUrl !== null,
  };
}
