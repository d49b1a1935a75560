// CLI: `npm run simulator`. The only simulator file that reads process.env or touches the process.
import { mkdirSync, writeFileSync } from "node:fs";
import { startSimulator } from "./server.js";

const port = Number(process.env.SIMULATOR_PORT ?? 8443);
const caPath = ".data/simulator-ca.pem";
const sim = await startSimulator({ port });
mkdirSync(".data", { recursive: true });
writeFileSync(caPath, sim.ca);
const subs = sim.subscriptionIds.join(",");
console.log(`ARM simulator listening on ${sim.url}`);
console.log(`subscriptions: ${subs}`);
console.log(`CA certificate written to ${caPath}`);
console.log(`point the service at it with:\n  AZURE_MODE=azure AZURE_ARM_ENDPOINT=${sim.url} AZURE_ARM_TOKEN=x AZURE_SUBSCRIPTION_IDS=${subs} NODE_EXTRA_CA_CERTS=${caPath}`);
console.log(`control: GET ${sim.url}/_simulator/requests, POST /_simulator/faults, PUT /_simulator/vms/maintenance`);

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    sim.close().then(() => process.exit(0), () => process.exit(1));
  });
}
