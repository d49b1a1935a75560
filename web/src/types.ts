// The API's documents as the page uses them (openapi.yaml is the contract; fields the page does not read are
// left out). Optional fields come from features that may not be deployed yet (warnings, deferrals).

export interface TimeWindow {
  start: string | null;
  end: string | null;
}

export interface Maintenance {
  customerInitiatedMaintenanceAllowed: boolean | null;
  selfServiceWindow: TimeWindow;
  scheduledWindow: TimeWindow;
  lastOperationResultCode: string | null;
  lastOperationMessage: string | null;
  observedAt?: string;
  skippedAt?: string | null;
}

export interface Vm {
  id: string;
  resourceId: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  scaleSet: { name: string; instanceId: string } | null;
  availabilitySet: string | null;
  zone: string | null;
  platformUpdateDomain: number | null;
  platformFaultDomain: number | null;
  tags: Record<string, string>;
  powerState: string | null;
  goneSince: string | null;
  maintenance: Maintenance | null;
}

export const BOOKING_STATES = ["scheduled", "held", "running", "completed", "failed", "skipped", "cancelled", "missed", "invalidated", "not-needed"] as const;
export type BookingState = (typeof BOOKING_STATES)[number];

export interface Attempt {
  number: number;
  startedAt: string;
  finishedAt: string | null;
  outcome: string | null;
  httpStatus: number | null;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface Booking {
  id: string;
  virtualMachineId: string;
  startAt: string;
  state: BookingState;
  stateReason: string | null;
  note: string | null;
  createdBy: string;
  attempts: Attempt[];
  /** From the planner, when deployed: the booking waits until then. */
  deferredUntil?: string | null;
  /** From the planner, when deployed. */
  warnings?: { code: string; detail: string }[];
}

export interface VmDetail extends Vm {
  windowHistory: { change: string; observedAt: string; maintenance: Omit<Maintenance, "observedAt" | "skippedAt"> | null }[];
  activeBooking: Booking | null;
  bookings: Booking[];
}

export interface Page<T> {
  value: T[];
  nextLink: string | null;
}

export interface Me {
  kind: "user" | "app" | "anonymous";
  actor: string;
  roles: string[];
  scope: { subscriptionId: string; resourceGroup: string | null }[] | null;
}

export interface UiConfig {
  authMode: "none" | "entra";
  clientId: string | null;
  authority: string | null;
  apiScope: string | null;
  /** How often to re-read while the event stream is unavailable (UI_POLL_INTERVAL). */
  pollIntervalMs?: number;
}

/** RFC 9457 problem document with this API's extension members. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  errors?: { location: string; path: string; message: string; field?: string }[];
  earliestStartAt?: string | null;
  latestStartAt?: string | null;
  /** For `blackout`: when maintenance may next start. */
  nextAllowedAt?: string | null;
  currentState?: string;
}
