// A time in the reader's zone, with UTC on hover (and in the datetime attribute for assistive technology).
import { localTime, utcTime } from "../time";
import type { Maintenance } from "../types";

export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return <span>—</span>;
  return <time dateTime={at} title={utcTime(at)}>{localTime(at)}</time>;
}

/** A VM's maintenance status in words. */
export function maintenanceSummary(m: Maintenance | null, now = Date.now()): string {
  if (!m) return "No maintenance planned.";
  if (m.lastOperationResultCode === "MaintenanceCompleted") return "Maintenance completed.";
  const endSelf = m.selfServiceWindow.end ? Date.parse(m.selfServiceWindow.end) : null;
  const startSelf = m.selfServiceWindow.start ? Date.parse(m.selfServiceWindow.start) : null;
  const parts: string[] = [];
  if (m.customerInitiatedMaintenanceAllowed && (startSelf === null || startSelf <= now) && (endSelf === null || endSelf > now)) parts.push("Self-service window open: you may start maintenance now.");
  else if (startSelf !== null && startSelf > now) parts.push("Self-service window not open yet.");
  else if (!m.customerInitiatedMaintenanceAllowed) parts.push("Azure does not allow starting maintenance yourself; it will maintain the VM in its scheduled window.");
  if (m.lastOperationResultCode === "RetryLater") parts.push("Azure asked to retry later.");
  if (m.lastOperationResultCode === "MaintenanceAborted") parts.push("The last maintenance was aborted.");
  if (m.lastOperationMessage) parts.push(`Azure: ${m.lastOperationMessage}`);
  return parts.join(" ") || "Maintenance pending.";
}
