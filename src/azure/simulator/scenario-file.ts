// Reads a scenario file (JSON) for the simulator CLI and for SIMULATOR_SCENARIO; its events are checked against
// the fleet when the simulator loads it.
import { readFileSync } from "node:fs";
import type { Scenario } from "./scenario.js";

export function readScenarioFile(file: string): Scenario {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`scenario ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!parsed || typeof parsed !== "object" || !Array.isArray((parsed as Scenario).events)) throw new Error(`scenario ${file}: expected {"events": [...]}`);
  return parsed as Scenario;
}
