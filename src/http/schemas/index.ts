// Schemas registered with `app.addSchema` so routes (and openapi.yaml's components) refer to them by name.
import { Problem } from "./common.js";
import { SyncRun } from "./sync-runs.js";
import { VirtualMachine } from "./virtual-machines.js";

export const SHARED_SCHEMAS = [Problem, VirtualMachine, SyncRun];
