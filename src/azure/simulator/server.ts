// HTTPS front of the simulator: TLS, auth, api-version, throttling, faults, latency and the request log, then
// hands the request to a route. Everything a client sees is ARM's wire format.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { generate } from "selfsigned";
import { handleControl } from "./control.js";
import { Faults } from "./faults.js";
import { Operations } from "./operations.js";
import { cloudError } from "./payloads.js";
import { ROUTES, type Reply, type Route } from "./routes.js";
import { DEMO_FLEET, seedFleet } from "./seed.js";
import { Throttle } from "./throttle.js";
import type { RequestLogEntry, Simulator, SimulatorOptions } from "./types.js";

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
  const ops = new Operations(fleet, opts.operationDurationMs ?? 50, now);
  const faults = new Faults();
  const throttle = opts.throttle ? new Throttle(opts.throttle) : null;
  const log: RequestLogEntry[] = [];
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
        return { status: 429, body: cloudError("TooManyRequests", `Number of '${kind}' requests for subscription '${sub}' actor '' exceeded. Please try again after '${t.retryAfterSeconds}' seconds.`) };
      }
    }
    const fault = faults.take({ operation, subscriptionId: sub, resourceId: hit.route.target?.(hit.m) ?? null });
    if (fault) {
      if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
      return { status: fault.status, body: cloudError(fault.code, fault.message) };
    }
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", baseUrl);
    const body = await readBody(req);
    const method = req.method ?? "GET";
    if (url.pathname.toLowerCase().startsWith("/_simulator/")) return send(res, handleControl(control, method, url, body), {});
    ops.settle();
    const sub = /^\/subscriptions\/([^/]+)/i.exec(url.pathname)?.[1] ?? null;
    const hit = matchRoute(method, url.pathname);
    const operation = hit?.route.operation === "getOperation" && url.searchParams.get("monitor") === "true" ? "getOperationResult" : (hit?.route.operation ?? "unknown");
    const headers: Record<string, string> = {};
    const reply = gate(req, url, sub, hit, operation, headers) ??
      hit!.route.handle({ fleet, ops, now, baseUrl, pageSize: opts.pageSize ?? 100, listIncludesInstanceView: opts.listIncludesInstanceView ?? true, url, body }, hit!.m);
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
    setMaintenance: (id, m) => fleet.setMaintenance(id, m),
    removeVm: (id) => fleet.remove(id),
    injectFault: (f) => faults.add(f),
    setOperationOutcome: (id, outcome) => {
      fleet.require(id);
      ops.setOutcome(id, outcome);
    },
    vms: () => {
      ops.settle();
      return structuredClone(fleet.all());
    },
    reset: () => {
      log.length = 0;
      faults.clear();
    },
  };

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
