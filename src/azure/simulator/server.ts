// HTTPS front of the simulator: TLS, auth, api-version, throttling, faults, latency and the request log, then
// hands the request to a route. Everything a client sees is ARM's wire format.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { generate } from "selfsigned";
import { COMPUTE_POLICIES, ComputeThrottle, computeThrottledError } from "./compute-throttle.js";
import { handleControl } from "./control.js";
import { Faults } from "./faults.js";
import { MaintenanceLifecycle } from "./lifecycle.js";
import { Operations } from "./operations.js";
import { cloudError } from "./payloads.js";
import { ROUTES, type Reply, type Route } from "./routes.js";
import { planScenario, resolveMaintenance, ScenarioPlayer, type PlannedEvent, type Scenario } from "./scenario.js";
import { DEMO_FLEET, seedFleet } from "./seed.js";
import { ARM_THROTTLE, Throttle } from "./throttle.js";
import type { RequestLogEntry, Simulator, SimulatorOptions } from "./types.js";

const DAY = 86_400_000;

async function selfSignedCert() {
  return generate([{ name: "commonName", value: "localhost" }], {
    keySize: 2048,
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }, { type: 2, value: "localhost" }] },
    ],
  });
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return null;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return null;
  }
}

function matchRoute(method: string, path: string): { route: Route; m: string[] } | null {
  for (const route of ROUTES) {
    const m = route.method === method ? route.pattern.exec(path) : null;
    if (m) return { route, m: [...m] };
  }
  return null;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const now = opts.now ?? (() => new Date());
  const fleet = seedFleet(opts.fleet ?? DEMO_FLEET, now());
  const lifecycle = new MaintenanceLifecycle(fleet, now, opts.completedRetentionMs ?? DAY);
  const ops = new Operations(fleet, opts.operationDurationMs ?? 50, now, (id) => lifecycle.completed(id));
  const faults = new Faults();
  const throttle = opts.throttle === false ? null : new Throttle(opts.throttle ?? ARM_THROTTLE);
  const compute = opts.computePolicies === false ? null : new ComputeThrottle(opts.computePolicies ?? COMPUTE_POLICIES);
  const log: RequestLogEntry[] = [];
  let scenario: ScenarioPlayer | null = null;

  /** What Azure does to the fleet when a scenario event comes due. */
  function applyEvent(e: PlannedEvent, atMs: number): void {
    const id = e.resourceId;
    const vm = id ? fleet.get(id) : undefined;
    if (e.action === "fault") return faults.add(e.fault);
    if (!vm || !id) return; // removed meanwhile
    if (e.action === "set-maintenance") fleet.setMaintenance(id, resolveMaintenance(e.maintenance, atMs));
    else if (e.action === "outcome") ops.setOutcome(id, e.outcome);
    else if (e.action === "remove") fleet.remove(id);
    else if (e.action === "deallocate") vm.powerState = "deallocated";
    // Started again after deallocation, the VM lands on a host that is already updated (assumed; see README).
    else if (e.action === "start") Object.assign(vm, { powerState: "running", maintenance: null });
    lifecycle.touched(id);
  }

  function loadScenario(s: Scenario): void {
    scenario = new ScenarioPlayer(planScenario(s, fleet), now().getTime(), applyEvent);
  }

  /** Azure's clock: scenario events that came due, operations that ended, window boundaries crossed. */
  function advance(): void {
    scenario?.advance(now().getTime());
    ops.settle();
    lifecycle.advance();
  }
  const pem = await selfSignedCert();
  let baseUrl = "";

  /** Applies the ARM gates in ARM's order; returns a reply when the request must not reach the route. */
  function gate(req: IncomingMessage, url: URL, sub: string | null, hit: ReturnType<typeof matchRoute>, operation: string, headers: Record<string, string>): Reply | null {
    if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? "")) {
      return { status: 401, body: cloudError("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing or not a Bearer token.") };
    }
    if (!url.searchParams.get("api-version")) {
      return { status: 400, body: cloudError("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.") };
    }
    if (sub && !fleet.hasSubscription(sub)) return { status: 404, body: cloudError("SubscriptionNotFound", `The subscription '${sub}' could not be found.`) };
    if (!hit) return { status: 404, body: cloudError("InvalidResourceType", `The resource type could not be found for ${req.method} ${url.pathname}.`) };
    if (throttle && sub) {
      const kind = req.method === "GET" ? "reads" : "writes";
      const t = throttle.take(sub, kind);
      headers[`x-ms-ratelimit-remaining-subscription-${kind}`] = String(t.remaining);
      if (!t.ok) {
        headers["retry-after"] = String(t.retryAfterSeconds);
        const message = `Number of '${kind === "reads" ? "read" : "write"}' requests for subscription '${sub}' actor '' exceeded. Please try again after '${t.retryAfterSeconds}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling`;
        return { status: 429, body: cloudError("SubscriptionRequestsThrottled", message) };
      }
    }
    const target = hit.route.target?.(hit.m) ?? null;
    const fault = faults.take({ operation, subscriptionId: sub, resourceId: target });
    if (fault) {
      if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
      if (fault.policy) headers["x-ms-ratelimit-remaining-resource"] = `${fault.policy};0`;
      return { status: fault.status, body: cloudError(fault.code, fault.message) };
    }
    const verdict = compute && sub ? compute.take(operation, sub, target) : null;
    if (verdict?.header) headers["x-ms-ratelimit-remaining-resource"] = verdict.header;
    if (verdict?.throttled) {
      const { policy, retryAfterSeconds, measured } = verdict.throttled;
      headers["retry-after"] = String(retryAfterSeconds);
      return { status: 429, body: computeThrottledError(policy.name, retryAfterSeconds, measured, policy.limit) };
    }
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", baseUrl);
    const body = await readBody(req);
    const method = req.method ?? "GET";
    if (url.pathname.toLowerCase().startsWith("/_simulator/")) return send(res, handleControl(control, method, url, body), {});
    advance();
    const sub = /^\/subscriptions\/([^/]+)/i.exec(url.pathname)?.[1] ?? null;
    const hit = matchRoute(method, url.pathname);
    const operation = hit?.route.operation === "getOperation" && url.searchParams.get("monitor") === "true" ? "getOperationResult" : (hit?.route.operation ?? "unknown");
    const headers: Record<string, string> = {};
    const reply = gate(req, url, sub, hit, operation, headers) ??
      hit!.route.handle({ fleet, ops, now, baseUrl, pageSize: opts.pageSize ?? 100, listIncludesInstanceView: opts.listIncludesInstanceView ?? false, url, body }, hit!.m);
    if (opts.latencyMs) await sleep(opts.latencyMs);
    log.push({ method, path: url.pathname + url.search, operation, subscriptionId: sub, status: reply.status, at: now().toISOString() });
    send(res, reply, headers);
  }

  function send(res: ServerResponse, reply: Reply, extra: Record<string, string>): void {
    const headers: Record<string, string> = { "x-ms-request-id": randomUUID(), ...extra, ...reply.headers };
    if (reply.body === undefined) {
      res.writeHead(reply.status, { ...headers, "content-length": "0" }).end();
      return;
    }
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)) }).end(text);
  }

  const control: Parameters<typeof handleControl>[0] = {
    requests: (f = {}) => log.filter((e) => (!f.operation || e.operation === f.operation) && (!f.subscriptionId || e.subscriptionId?.toLowerCase() === f.subscriptionId.toLowerCase())).map((e) => ({ ...e })),
    setMaintenance: (id, m) => {
      fleet.setMaintenance(id, m);
      lifecycle.touched(id);
    },
    removeVm: (id) => fleet.remove(id),
    injectFault: (f) => faults.add(f),
    setOperationOutcome: (id, outcome) => {
      fleet.require(id);
      ops.setOutcome(id, outcome);
    },
    loadScenario,
    scenarioProgress: () => scenario?.progress() ?? { applied: 0, pending: 0 },
    vms: () => {
      advance();
      return structuredClone(fleet.all());
    },
    setPlacement: (id, p) => {
      const vm = fleet.require(id);
      if (p.availabilitySet !== undefined) vm.availabilitySet = p.availabilitySet;
      if (p.platformUpdateDomain !== undefined) vm.platformUpdateDomain = p.platformUpdateDomain;
      if (p.platformFaultDomain !== undefined) vm.platformFaultDomain = p.platformFaultDomain;
    },
    setTags: (id, tags) => {
      fleet.require(id).tags = { ...tags };
    },
    operationLog: () => {
      ops.settle();
      return ops.log();
    },
    reset: () => {
      log.length = 0;
      ops.clearLog();
      faults.clear();
      throttle?.reset();
      compute?.reset();
    },
  };

  if (opts.scenario) loadScenario(opts.scenario);
  const server: Server = createServer({ key: pem.private, cert: pem.cert }, (req, res) => {
    handle(req, res).catch((err: unknown) => send(res, { status: 500, body: cloudError("InternalServerError", String(err)) }, {}));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    ca: pem.cert,
    subscriptionIds: [...fleet.subscriptionIds],
    ...control,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
