// Public surface of the ARM simulator.
export { startSimulator } from "./server.js";
export { readScenarioFile } from "./scenario-file.js";
export { isoWithOffset } from "./wire-time.js";
export { ARM_THROTTLE } from "./throttle.js";
export { COMPUTE_POLICIES, type ComputePolicy } from "./compute-throttle.js";
export type { Scenario, ScenarioEvent, ScenarioMaintenance } from "./scenario.js";
export type {
  FaultSpec, FleetOptions, OperationLogEntry, OperationOutcome, RequestLogEntry, SimMaintenance, SimPlacement, SimScaleSet, Simulator, SimulatorOptions, SimVm,
} from "./types.js";
