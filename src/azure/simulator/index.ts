// Public surface of the ARM simulator.
export { startSimulator } from "./server.js";
export { isoWithOffset } from "./wire-time.js";
export type {
  FaultSpec, FleetOptions, OperationOutcome, RequestLogEntry, SimMaintenance, SimScaleSet, Simulator, SimulatorOptions, SimVm,
} from "./types.js";
