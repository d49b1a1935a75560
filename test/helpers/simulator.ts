// Starts the ARM simulator for a test file and builds the real SDK gateway against it.
import { request } from "node:https";
import type { TokenCredential } from "@azure/identity";
import { createArmGateway, type ArmGatewayOptions } from "../../src/azure/arm-gateway.js";
import type { AzureGateway } from "../../src/azure/gateway.js";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../src/azure/simulator/index.js";

/** A small fleet keeps listing tests fast; pass `fleet` to override. */
export const SMALL_FLEET = { subscriptions: 2, vmsPerSubscription: 25, scaleSetsPerSubscription: 2, instancesPerScaleSet: 3, seed: 7 };

export function startTestSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ fleet: SMALL_FLEET, operationDurationMs: 30, ...opts });
}

export const staticCredential: TokenCredential = {
  getToken: async () => ({ token: "test", expiresOnTimestamp: Date.now() + 3_600_000 }),
};

export function gatewayFor(sim: Simulator, overrides: Partial<ArmGatewayOptions> = {}): AzureGateway {
  return createArmGateway({ endpoint: sim.url, credential: staticCredential, ca: sim.ca, pollIntervalMs: 5, ...overrides });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A plain HTTPS call to the simulator, for asserting on wire details the SDK hides (headers, raw JSON). */
export function armRequest(sim: Simulator, method: string, pathAndQuery: string, opts: { auth?: boolean; body?: unknown } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (opts.auth !== false) headers.authorization = "Bearer test";
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (payload) headers["content-type"] = "application/json";
    const req = request(new URL(pathAndQuery, sim.url), { method, headers, ca: sim.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : null });
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

export async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}
