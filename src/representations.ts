// Database records → API JSON. The one place where the API's names and shapes are produced — for HTTP responses and
// for event payloads alike (an event carries the resource as the API shows it).
import { ACTIVE_STATES, type BookingState } from "./domain/booking-states.js";
import { bookingWarnings, type BookingWarning } from "./domain/booking-warnings.js";
import { sequenceString } from "./domain/events.js";
import type { AuditEventRow } from "./db/audit-repo.js";
import type { BookingRecord } from "./db/bookings-repo.js";
import type { CalendarFeedRow } from "./db/calendar-feeds-repo.js";
import type { ScopeAssignmentRow } from "./db/scope-assignments-repo.js";
import type { SyncRunRow } from "./db/sync-runs-repo.js";
import type { VirtualMachineRecord } from "./db/virtual-machines-repo.js";
import type { DeliveryRow } from "./db/webhook-deliveries-repo.js";
import type { WebhookSubscriptionRow } from "./db/webhook-subscriptions-repo.js";
import type { MaintenanceStatus } from "./domain/maintenance.js";
import type { Scope } from "./domain/access.js";
import type { MaintenanceGroupRecord } from "./db/maintenance-groups-repo.js";
import type { PlanPreview } from "./services/plan-preview.js";

/** The maintenance columns as Prisma returns them (maintenance_statuses and window_history share them). */
interface MaintenanceColumnsCamel {
  customerInitiatedMaintenanceAllowed: boolean | null;
  selfServiceWindowStart: Date | null;
  selfServiceWindowEnd: Date | null;
  scheduledWindowStart: Date | null;
  scheduledWindowEnd: Date | null;
  lastOperationResultCode: string | null;
  lastOperationMessage: string | null;
}
const iso = (d: Date | null) => (d ? d.toISOString() : null);

function maintenanceJson(m: MaintenanceColumnsCamel) {
  return maintenanceStatusJson({
    customerInitiatedMaintenanceAllowed: m.customerInitiatedMaintenanceAllowed,
    selfServiceWindow: { start: m.selfServiceWindowStart, end: m.selfServiceWindowEnd },
    scheduledWindow: { start: m.scheduledWindowStart, end: m.scheduledWindowEnd },
    lastOperationResultCode: m.lastOperationResultCode,
    lastOperationMessage: m.lastOperationMessage,
  });
}

/** A maintenance status (domain shape) as the API shows it in window history and events. */
export function maintenanceStatusJson(m: MaintenanceStatus) {
  return {
    customerInitiatedMaintenanceAllowed: m.customerInitiatedMaintenanceAllowed,
    selfServiceWindow: { start: iso(m.selfServiceWindow.start), end: iso(m.selfServiceWindow.end) },
    scheduledWindow: { start: iso(m.scheduledWindow.start), end: iso(m.scheduledWindow.end) },
    lastOperationResultCode: m.lastOperationResultCode,
    lastOperationMessage: m.lastOperationMessage,
  };
}

export function virtualMachineJson(vm: Omit<VirtualMachineRecord, "windowHistory" | "bookings">) {
  return {
    id: vm.id,
    resourceId: vm.resourceId,
    subscriptionId: vm.subscriptionId,
    resourceGroup: vm.resourceGroup,
    name: vm.name,
    location: vm.location,
    scaleSet: vm.scaleSetName && vm.scaleSetInstanceId ? { name: vm.scaleSetName, instanceId: vm.scaleSetInstanceId } : null,
    availabilitySet: vm.availabilitySet,
    zone: vm.zone,
    platformUpdateDomain: vm.platformUpdateDomain,
    platformFaultDomain: vm.platformFaultDomain,
    tags: (vm.tags ?? {}) as Record<string, string>,
    powerState: vm.powerState,
    firstSeenAt: vm.firstSeenAt.toISOString(),
    lastSeenAt: vm.lastSeenAt.toISOString(),
    goneSince: iso(vm.goneSince),
    maintenanceReadAt: iso(vm.maintenanceReadAt),
    maintenance: vm.maintenance
      ? { ...maintenanceJson(vm.maintenance), observedAt: vm.maintenance.observedAt.toISOString(), skippedAt: iso(vm.maintenance.skippedAt) }
      : null,
  };
}

/** `extraWarnings`: what this answer adds, e.g. the planner's projection on create (src/services/plan-preview.ts). */
export function bookingJson(b: BookingRecord, extraWarnings: BookingWarning[] = []) {
  return {
    id: b.id,
    virtualMachineId: b.virtualMachineId,
    startAt: b.startAt.toISOString(),
    state: b.state as BookingState,
    stateReason: b.stateReason,
    note: b.note,
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
    createdBy: b.createdBy,
    selfServiceWindow: b.windowStart || b.windowEnd ? { start: iso(b.windowStart), end: iso(b.windowEnd) } : null,
    deferredUntil: iso(b.deferredUntil),
    deferralReason: b.deferralReason,
    warnings: [...bookingWarnings(b.vm, b.deferredUntil && { until: b.deferredUntil, reason: b.deferralReason }), ...extraWarnings],
    // Field by field: rows may carry more columns (Prisma's have id and bookingId), and an anyOf that holds a
    // Booking (a VM's activeBooking) is chosen by validating it, which extra fields would fail.
    attempts: b.attempts.map((a) => ({
      number: a.number, startedAt: a.startedAt.toISOString(), finishedAt: iso(a.finishedAt), outcome: a.outcome, httpStatus: a.httpStatus,
      errorCode: a.errorCode, errorMessage: a.errorMessage, operationId: a.operationId,
    })),
  };
}

export function virtualMachineDetailJson(vm: VirtualMachineRecord) {
  // A new booking can only be made while none is active, so the active one is always the newest.
  const window = {
    windowStart: vm.maintenance?.selfServiceWindowStart ?? null,
    windowEnd: vm.maintenance?.selfServiceWindowEnd ?? null,
    vm: { subscriptionId: vm.subscriptionId, resourceGroup: vm.resourceGroup, powerState: vm.powerState, availabilitySet: vm.availabilitySet, scaleSetName: vm.scaleSetName },
  };
  const bookings = vm.bookings.map((b) => bookingJson({ ...b, ...window }));
  const newest = vm.bookings[0];
  return {
    ...virtualMachineJson(vm),
    activeBooking: newest && ACTIVE_STATES.includes(newest.state as BookingState) ? bookings[0] : null,
    bookings,
    windowHistory: vm.windowHistory.map((h) => ({
      change: h.change as "appeared" | "moved" | "cleared" | "status-changed",
      observedAt: h.observedAt.toISOString(),
      syncRunId: h.syncRunId,
      maintenance: h.change === "cleared" ? null : maintenanceJson(h),
    })),
  };
}

export function syncRunJson(run: SyncRunRow) {
  return {
    ...run,
    trigger: run.trigger as "schedule" | "api" | "startup",
    status: run.status as "running" | "succeeded" | "partial" | "failed" | "abandoned",
    startedAt: run.startedAt.toISOString(),
    finishedAt: iso(run.finishedAt),
  };
}

export function scopeAssignmentJson(a: ScopeAssignmentRow) {
  return { ...a, createdAt: a.createdAt.toISOString() };
}

/** A maintenance window or blackout row. */
export function calendarDefinitionJson<Row extends { createdAt: Date; updatedAt: Date }>(row: Row) {
  return { ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

export function auditEventJson(e: AuditEventRow) {
  return { ...e, at: e.at.toISOString(), before: (e.before ?? null) as Record<string, unknown> | null, after: (e.after ?? null) as Record<string, unknown> | null };
}

/** A scope as the API shows it: subscriptions and resource groups as assigned (comparison keys stay inside). */
export function scopeJson(scope: Scope) {
  return scope && scope.map((e) => ({ subscriptionId: e.subscriptionId, resourceGroup: e.resourceGroup }));
}

export function calendarFeedJson(f: CalendarFeedRow) {
  return { ...f, scope: scopeJson(f.scope), createdAt: f.createdAt.toISOString(), lastFetchedAt: iso(f.lastFetchedAt) };
}

export function maintenanceGroupJson(g: MaintenanceGroupRecord) {
  return {
    name: g.name, description: g.description, selector: g.selector, policy: g.policy,
    members: g.members, inFlight: g.inFlight, deferred: g.deferred, held: g.held, errorsSinceResume: g.errorsSinceResume,
    // json_agg gives the deadline as text: shown as every time is (ISO 8601, UTC, ms).
    unplannable: g.unplannable.map((u) => ({ ...u, deadline: u.deadline === null ? null : new Date(u.deadline).toISOString() })),
    resumedAt: g.resumedAt.toISOString(), createdAt: g.createdAt.toISOString(), createdBy: g.createdBy, updatedAt: g.updatedAt.toISOString(),
  };
}

export function planPreviewJson(p: PlanPreview) {
  return {
    generatedAt: p.generatedAt.toISOString(),
    operationEstimateSeconds: Math.round(p.operationEstimateMs / 1000),
    value: p.value.map((i) => ({ ...i, startAt: i.startAt.toISOString(), projectedStartAt: iso(i.projectedStartAt), projectedEndAt: iso(i.projectedEndAt) })),
    unplannable: p.unplannable.map((u) => ({ ...u, deadline: iso(u.deadline) })),
  };
}

export function webhookSubscriptionJson(s: WebhookSubscriptionRow) {
  return {
    id: s.id,
    url: s.url,
    eventTypes: s.eventTypes,
    filter: { subscriptionId: s.filterSubscriptionId, resourceGroup: s.filterResourceGroup },
    description: s.description,
    owner: { principalId: s.ownerPrincipalId, actor: s.ownerActor, scope: scopeJson(s.ownerScope) },
    state: s.state,
    stateReason: s.stateReason,
    failingSince: iso(s.failingSince),
    previousSecretExpiresAt: iso(s.previousSecretExpiresAt),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function webhookDeliveryJson(d: DeliveryRow) {
  return {
    id: d.id,
    event: { id: d.eventId, type: d.eventType, subject: d.subject, sequence: sequenceString(BigInt(d.sequence)), time: d.eventTime.toISOString() },
    state: d.state,
    attempts: d.attempts,
    lastAttemptAt: iso(d.lastAttemptAt),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    nextAttemptAt: iso(d.nextAttemptAt),
    deliveredAt: iso(d.deliveredAt),
    createdAt: d.createdAt.toISOString(),
  };
}
