// HTTP mirror of the in-process control API, for tests that run the service as a separate process. No auth.
import { cloudError } from "./payloads.js";
import type { Reply } from "./routes.js";
import { ScenarioError } from "./scenario.js";
import type { FaultSpec, OperationOutcome, SimMaintenance, SimPlacement, Simulator } from "./types.js";

type Control = Omit<Simulator, "url" | "ca" | "subscriptionIds" | "close">;

export function handleControl(sim: Control, method: string, url: URL, body: unknown): Reply {
  const path = url.pathname.toLowerCase().replace(/\/+$/, "");
  const b = (body ?? {}) as Record<string, unknown>;
  try {
    if (method === "GET" && path === "/_simulator/requests") {
      const operation = url.searchParams.get("operation") ?? undefined;
      const subscriptionId = url.searchParams.get("subscriptionId") ?? undefined;
      return { status: 200, body: sim.requests({ operation, subscriptionId }) };
    }
    if (method === "GET" && path === "/_simulator/vms") return { status: 200, body: sim.vms() };
    if (method === "POST" && path === "/_simulator/faults") {
      sim.injectFault(b as unknown as FaultSpec);
      return { status: 204 };
    }
    if (method === "PUT" && path === "/_simulator/vms/maintenance") {
      sim.setMaintenance(String(b.resourceId), (b.maintenance ?? null) as SimMaintenance | null);
      return { status: 204 };
    }
    if (method === "PUT" && path === "/_simulator/vms/placement") {
      sim.setPlacement(String(b.resourceId), (b.placement ?? {}) as SimPlacement);
      return { status: 204 };
    }
    if (method === "GET" && path === "/_simulator/operations") return { status: 200, body: sim.operationLog() };
    if (method === "POST" && path === "/_simulator/vms/outcome") {
      sim.setOperationOutcome(String(b.resourceId), b.outcome as OperationOutcome);
      return { status: 204 };
    }
    if (method === "DELETE" && path === "/_simulator/vms") {
      sim.removeVm(url.searchParams.get("resourceId") ?? "");
      return { status: 204 };
    }
    if (method === "POST" && path === "/_simulator/scenario") {
      sim.loadScenario(b as never);
      return { status: 204 };
    }
    if (method === "GET" && path === "/_simulator/scenario") return { status: 200, body: sim.scenarioProgress() };
    if (method === "POST" && path === "/_simulator/reset") {
      sim.reset();
      return { status: 204 };
    }
  } catch (err) {
    if (err instanceof ScenarioError) return { status: 400, body: cloudError("InvalidScenario", err.message) };
    return { status: 404, body: cloudError("ResourceNotFound", (err as Error).message) };
  }
  return { status: 404, body: cloudError("InvalidResourceType", `No simulator control endpoint ${method} ${url.pathname}.`) };
}
