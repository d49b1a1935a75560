// CLI: `npm run simulator [-- --scenario file.json] [--operation-duration 2m]`. The only simulator file that
// reads process.env or argv, or touches the process.
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseDuration } from "../../domain/duration.js";
import { readScenarioFile } from "./scenario-file.js";
import { startSimulator } from "./server.js";

const { values } = parseArgs({ options: { scenario: { type: "string" }, "operation-duration": { type: "string", default: "2m" } } });
const operationDurationMs = parseDuration(values["operation-duration"] ?? "2m");
if (operationDurationMs === null) {
  console.error(`--operation-duration must be a duration like 30s or 2m, got "${values["operation-duration"]}"`);
  process.exit(2);
}
const scenario = values.scenario ? readScenarioFile(values.scenario) : undefined;
const port = Number(process.env.SIMULATOR_PORT ?? 8443);
const caPath = ".data/simulator-ca.pem";
const sim = await startSimulator({ port, operationDurationMs, scenario });
mkdirSync(".data", { recursive: true });
writeFileSync(caPath, sim.ca);
const subs = sim.subscriptionIds.join(",");
console.log(`ARM simulator listening on ${sim.url}`);
console.log(`subscriptions: ${subs}`);
if (scenario) console.log(`scenario ${values.scenario}: ${scenario.events.length} events`);
console.log(`CA certificate written to ${caPath}`);
console.log(`point the service at it with:\n  AZURE_MODE=azure AZURE_ARM_ENDPOINT=${sim.url} AZURE_ARM_TOKEN=x AZURE_SUBSCRIPTION_IDS=${subs} NODE_EXTRA_CA_CERTS=${caPath}`);
console.log(`control: GET ${sim.url}/_simulator/requests, POST /_simulator/faults, PUT /_simulator/vms/maintenance, POST /_simulator/scenario`);

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    sim.close().then(() => process.exit(0), () => process.exit(1));
  });
}
