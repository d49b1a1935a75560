// Maintenance statuses for tests: a domain fixture, and the domain's view of a VM as the API returns it.
import type { MaintenanceStatus } from "../../src/domain/maintenance.js";

const t = (iso: string) => new Date(iso);

/** A pending status: self-service 2026-11-20..12-20, scheduled 12-21..12-22, allowed; `over` replaces members. */
export const maintenanceStatus = (over: Partial<MaintenanceStatus> = {}): MaintenanceStatus => ({
  customerInitiatedMaintenanceAllowed: true,
  selfServiceWindow: { start: t("2026-11-20T00:00:00Z"), end: t("2026-12-20T00:00:00Z") },
  scheduledWindow: { start: t("2026-12-21T00:00:00Z"), end: t("2026-12-22T00:00:00Z") },
  lastOperationResultCode: "None",
  lastOperationMessage: null,
  ...over,
});

/** The domain's MaintenanceStatus of a VM as the API shows it (`maintenance` null: none). */
export function statusOf(vm: Record<string, any>): MaintenanceStatus | null {
  const m = vm.maintenance;
  if (!m) return null;
  const d = (s: string | null) => (s ? new Date(s) : null);
  return {
    customerInitiatedMaintenanceAllowed: m.customerInitiatedMaintenanceAllowed,
    selfServiceWindow: { start: d(m.selfServiceWindow.start), end: d(m.selfServiceWindow.end) },
    scheduledWindow: { start: d(m.scheduledWindow.start), end: d(m.scheduledWindow.end) },
    lastOperationResultCode: m.lastOperationResultCode,
    lastOperationMessage: m.lastOperationMessage,
  };
}
