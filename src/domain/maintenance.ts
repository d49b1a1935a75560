// Pure rules about a VM's maintenance status (Azure's `maintenanceRedeployStatus`). No I/O; `now` is a parameter.

export const LAST_OPERATION_RESULT_CODES = ["None", "RetryLater", "MaintenanceAborted", "MaintenanceCompleted"] as const;
export type LastOperationResultCode = (typeof LAST_OPERATION_RESULT_CODES)[number];

export interface TimeWindow {
  start: Date | null;
  end: Date | null;
}

/** A VM's maintenance as Azure reports it, with times in UTC (`Date`). `null` everywhere means: none planned. */
export interface MaintenanceStatus {
  customerInitiatedMaintenanceAllowed: boolean | null;
  selfServiceWindow: TimeWindow;
  scheduledWindow: TimeWindow;
  /** Azure's code as sent; normally one of LAST_OPERATION_RESULT_CODES. */
  lastOperationResultCode: string | null;
  lastOperationMessage: string | null;
}

export type WindowChange = "appeared" | "moved" | "cleared" | "status-changed";

function sameTime(a: Date | null, b: Date | null): boolean {
  return (a?.getTime() ?? null) === (b?.getTime() ?? null);
}

function sameWindow(a: TimeWindow, b: TimeWindow): boolean {
  return sameTime(a.start, b.start) && sameTime(a.end, b.end);
}

/**
 * What changed between the stored status and the one just observed, or null when nothing did.
 * A moved window wins over a status change in the same observation: the history row keeps the full new status.
 */
export function classifyChange(before: MaintenanceStatus | null, after: MaintenanceStatus | null): WindowChange | null {
  if (!before && !after) return null;
  if (!before) return "appeared";
  if (!after) return "cleared";
  if (!sameWindow(before.selfServiceWindow, after.selfServiceWindow) || !sameWindow(before.scheduledWindow, after.scheduledWindow)) {
    return "moved";
  }
  if (
    before.customerInitiatedMaintenanceAllowed !== after.customerInitiatedMaintenanceAllowed ||
    before.lastOperationResultCode !== after.lastOperationResultCode ||
    before.lastOperationMessage !== after.lastOperationMessage
  ) {
    return "status-changed";
  }
  return null;
}

/**
 * The API's maintenance classes. `none`: read, and nothing planned; `unknown`: the VM's instance view was never read
 * (never counted as none); `unbooked`: `pending` with no active booking (the portal's to-do list).
 */
export type MaintenanceFilter = "pending" | "self-service-open" | "none" | "unknown" | "unbooked";

/** Maintenance is pending while Azure still has a window that has not ended and has not reported completion. */
export function isPending(status: MaintenanceStatus | null, now: Date): boolean {
  if (!status || status.lastOperationResultCode === "MaintenanceCompleted") return false;
  const lastEnd = status.scheduledWindow.end ?? status.selfServiceWindow.end;
  return lastEnd === null || lastEnd.getTime() > now.getTime();
}

/** The owner may start maintenance now: Azure allows it and `now` is inside the self-service window. */
export function isSelfServiceOpen(status: MaintenanceStatus | null, now: Date): boolean {
  if (!status || status.customerInitiatedMaintenanceAllowed !== true) return false;
  const { start, end } = status.selfServiceWindow;
  return (start === null || start.getTime() <= now.getTime()) && (end === null || now.getTime() < end.getTime());
}
