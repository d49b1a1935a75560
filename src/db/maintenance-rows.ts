// Mapping between maintenance columns (maintenance_statuses, window_history) and the domain's MaintenanceStatus.
import type { MaintenanceStatus } from "../domain/maintenance.js";

export interface MaintenanceColumns {
  customer_initiated_maintenance_allowed: boolean | null;
  self_service_window_start: Date | null;
  self_service_window_end: Date | null;
  scheduled_window_start: Date | null;
  scheduled_window_end: Date | null;
  last_operation_result_code: string | null;
  last_operation_message: string | null;
}

export function statusFromColumns(row: MaintenanceColumns): MaintenanceStatus {
  return {
    customerInitiatedMaintenanceAllowed: row.customer_initiated_maintenance_allowed,
    selfServiceWindow: { start: row.self_service_window_start, end: row.self_service_window_end },
    scheduledWindow: { start: row.scheduled_window_start, end: row.scheduled_window_end },
    lastOperationResultCode: row.last_operation_result_code,
    lastOperationMessage: row.last_operation_message,
  };
}

/** Columns as JSON-safe values (ISO strings) for `jsonb_to_recordset` batch statements. */
export function columnsFromStatus(status: MaintenanceStatus | null): Record<keyof MaintenanceColumns, string | boolean | null> {
  return {
    customer_initiated_maintenance_allowed: status?.customerInitiatedMaintenanceAllowed ?? null,
    self_service_window_start: status?.selfServiceWindow.start?.toISOString() ?? null,
    self_service_window_end: status?.selfServiceWindow.end?.toISOString() ?? null,
    scheduled_window_start: status?.scheduledWindow.start?.toISOString() ?? null,
    scheduled_window_end: status?.scheduledWindow.end?.toISOString() ?? null,
    last_operation_result_code: status?.lastOperationResultCode ?? null,
    last_operation_message: status?.lastOperationMessage ?? null,
  };
}

/** The recordset column list matching columnsFromStatus, for SQL text. */
export const MAINTENANCE_RECORD_COLUMNS = `customer_initiated_maintenance_allowed boolean, self_service_window_start timestamptz,
  self_service_window_end timestamptz, scheduled_window_start timestamptz, scheduled_window_end timestamptz,
  last_operation_result_code text, last_operation_message text`;

const MAINTENANCE_COLUMNS = [
  "customer_initiated_maintenance_allowed",
  "self_service_window_start",
  "self_service_window_end",
  "scheduled_window_start",
  "scheduled_window_end",
  "last_operation_result_code",
  "last_operation_message",
] as const;

/** `a, b, c` or, with an alias, `r.a, r.b, r.c`. */
export function maintenanceColumnList(alias?: string): string {
  return MAINTENANCE_COLUMNS.map((c) => (alias ? `${alias}.${c}` : c)).join(", ");
}

/** `a = EXCLUDED.a, ...` for ON CONFLICT DO UPDATE. */
export function maintenanceColumnUpdates(): string {
  return MAINTENANCE_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(", ");
}
