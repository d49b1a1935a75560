import { describe, expect, it } from "vitest";
import { classifyChange, isPending, isSelfServiceOpen, type MaintenanceStatus } from "../../src/domain/maintenance.js";
import { maintenanceStatus } from "../helpers/maintenance.js";

const t = (iso: string) => new Date(iso);
const status = maintenanceStatus;

describe("classifyChange", () => {
  it("reports appeared, cleared and nothing", () => {
    expect(classifyChange(null, status())).toBe("appeared");
    expect(classifyChange(status(), null)).toBe("cleared");
    expect(classifyChange(null, null)).toBeNull();
    expect(classifyChange(status(), status())).toBeNull();
  });
  it("compares instants, not Date objects", () => {
    const same = status({ selfServiceWindow: { start: t("2026-11-19T17:00:00-07:00"), end: t("2026-12-20T00:00:00Z") } });
    expect(classifyChange(status(), same)).toBeNull();
  });
  it("reports a moved window before a status change", () => {
    const moved = status({ scheduledWindow: { start: t("2026-12-23T00:00:00Z"), end: t("2026-12-24T00:00:00Z") }, lastOperationResultCode: "RetryLater" });
    expect(classifyChange(status(), moved)).toBe("moved");
    expect(classifyChange(status(), status({ selfServiceWindow: { start: t("2026-11-20T00:00:00Z"), end: null } }))).toBe("moved");
  });
  it("reports result code, allowed flag and message changes", () => {
    expect(classifyChange(status(), status({ lastOperationResultCode: "MaintenanceCompleted" }))).toBe("status-changed");
    expect(classifyChange(status(), status({ customerInitiatedMaintenanceAllowed: false }))).toBe("status-changed");
    expect(classifyChange(status(), status({ lastOperationMessage: "x" }))).toBe("status-changed");
  });
});

describe("isPending / isSelfServiceOpen", () => {
  const now = t("2026-11-25T12:00:00Z");
  it("no status is neither", () => {
    expect(isPending(null, now)).toBe(false);
    expect(isSelfServiceOpen(null, now)).toBe(false);
  });
  it("an open self-service window is both", () => {
    expect(isPending(status(), now)).toBe(true);
    expect(isSelfServiceOpen(status(), now)).toBe(true);
  });
  it("a window opening later is pending, not open", () => {
    const later = status({ customerInitiatedMaintenanceAllowed: false, selfServiceWindow: { start: t("2026-11-30T00:00:00Z"), end: t("2026-12-20T00:00:00Z") } });
    expect(isPending(later, now)).toBe(true);
    expect(isSelfServiceOpen(later, now)).toBe(false);
  });
  it("allowed=false closes self-service even inside the window", () => {
    expect(isSelfServiceOpen(status({ customerInitiatedMaintenanceAllowed: false }), now)).toBe(false);
  });
  it("completed or past windows are not pending", () => {
    expect(isPending(status({ lastOperationResultCode: "MaintenanceCompleted" }), now)).toBe(false);
    const past = status({ scheduledWindow: { start: t("2026-11-01T00:00:00Z"), end: t("2026-11-02T00:00:00Z") } });
    expect(isPending(past, now)).toBe(false);
  });
  it("the window end is exclusive", () => {
    expect(isSelfServiceOpen(status(), t("2026-12-20T00:00:00Z"))).toBe(false);
    expect(isSelfServiceOpen(status(), t("2026-12-19T23:59:59.999Z"))).toBe(true);
  });
});
