// Retries, throttling and error translation through the real SDK pipeline.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArmError, type VmRef } from "../../src/azure/gateway.js";
import type { Simulator, SimVm } from "../../src/azure/simulator/index.js";
import { armRequest, gatewayFor, startTestSimulator } from "../helpers/simulator.js";

const refOf = (vm: SimVm): VmRef => ({
  subscriptionId: vm.subscriptionId, resourceGroup: vm.resourceGroup, name: vm.name, scaleSetName: vm.scaleSetName, scaleSetInstanceId: vm.instanceId,
});

async function caught(p: Promise<unknown>): Promise<ArmError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ArmError);
  return err as ArmError;
}

describe("retries and error translation", () => {
  let sim: Simulator;
  let vm: SimVm;
  beforeAll(async () => {
    sim = await startTestSimulator();
    vm = sim.vms().find((v) => v.scaleSetName === null)!;
  });
  afterAll(() => sim.close());

  it("retries a 429 with Retry-After transparently (two attempts in the log)", async () => {
    sim.reset();
    sim.injectFault({ operation: "getInstanceView", status: 429, retryAfterSeconds: 1, times: 1 });
    const gateway = gatewayFor(sim);
    const started = Date.now();
    const facts = await gateway.getInstanceView(refOf(vm));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // the SDK waited for Retry-After
    expect(facts.platformUpdateDomain).toBe(vm.platformUpdateDomain);
    expect(sim.requests({ operation: "getInstanceView" }).map((e) => e.status)).toEqual([429, 200]);
    expect(gateway.requestCount()).toBe(2);
  });

  it("reports a 429 that outlasts the retries as retryable with retryAfterMs", async () => {
    sim.injectFault({ resourceId: vm.resourceId, status: 429, code: "TooManyRequests", retryAfterSeconds: 7 });
    const err = await caught(gatewayFor(sim, { retry: { maxRetries: 0 } }).getInstanceView(refOf(vm)));
    expect(err).toMatchObject({ statusCode: 429, code: "TooManyRequests", retryable: true, retryAfterMs: 7000 });
  });

  it("marks 5xx retryable and 4xx not", async () => {
    const gateway = gatewayFor(sim, { retry: { maxRetries: 0 } });
    sim.injectFault({ operation: "getInstanceView", status: 503 });
    expect(await caught(gateway.getInstanceView(refOf(vm)))).toMatchObject({ statusCode: 503, code: "ServiceUnavailable", retryable: true });
    sim.injectFault({ operation: "getInstanceView", status: 400, code: "InvalidParameter" });
    expect(await caught(gateway.getInstanceView(refOf(vm)))).toMatchObject({ statusCode: 400, code: "InvalidParameter", retryable: false });
    sim.injectFault({ operation: "performMaintenance", status: 409, code: "RetryLater", message: "busy" });
    sim.setMaintenance(vm.resourceId, { isCustomerInitiatedMaintenanceAllowed: true });
    expect(await caught(gateway.startMaintenance(refOf(vm)))).toMatchObject({ statusCode: 409, code: "RetryLater", retryable: true });
  });

  it("fails a listing mid-way with an ArmError", async () => {
    sim.injectFault({ operation: "listScaleSets", status: 500 });
    const gateway = gatewayFor(sim, { retry: { maxRetries: 0 } });
    const pages = gateway.listVirtualMachines(vm.subscriptionId);
    const err = await caught((async () => { for await (const _ of pages) void _; })());
    expect(err.statusCode).toBe(500);
  });

  it("treats an unreachable endpoint as a retryable network error", async () => {
    const gateway = gatewayFor(sim, { endpoint: "https://127.0.0.1:1", retry: { maxRetries: 0 } });
    const err = await caught(gateway.getInstanceView(refOf(vm)));
    expect(err).toMatchObject({ statusCode: null, retryable: true });
  });

  it("requires a bearer token and an api-version, answering CloudErrors", async () => {
    const path = `${vm.resourceId}/instanceView`;
    const noAuth = await armRequest(sim, "GET", `${path}?api-version=2026-04-01`, { auth: false });
    expect(noAuth.status).toBe(401);
    expect(noAuth.body).toMatchObject({ error: { code: "AuthenticationFailed" } });
    const noVersion = await armRequest(sim, "GET", path);
    expect(noVersion.status).toBe(400);
    expect(noVersion.body).toMatchObject({ error: { code: "MissingApiVersionParameter" } });
  });
});

describe("ARM throttling", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startTestSimulator({ throttle: { reads: { burst: 3, perSecond: 0.5 }, writes: { burst: 2, perSecond: 0.5 } } });
  });
  afterAll(() => sim.close());

  it("answers ARM's 429 SubscriptionRequestsThrottled with Retry-After once the read bucket is empty, with remaining headers", async () => {
    const vm = sim.vms().find((v) => v.scaleSetName === null)!;
    const path = `${vm.resourceId}/instanceView?api-version=2026-04-01`;
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await armRequest(sim, "GET", path));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(replies.map((r) => r.headers["x-ms-ratelimit-remaining-subscription-reads"])).toEqual(["2", "1", "0", "0"]);
    expect(Number(replies[3].headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(replies[3].body).toMatchObject({ error: { code: "SubscriptionRequestsThrottled" } });

    const err = await caught(gatewayFor(sim, { retry: { maxRetries: 0 } }).getInstanceView(refOf(vm)));
    expect(err).toMatchObject({ statusCode: 429, code: "SubscriptionRequestsThrottled", retryable: true });
    expect(err.retryAfterMs).toBeGreaterThanOrEqual(1000);
    // Writes have their own bucket.
    const write = await armRequest(sim, "POST", `${vm.resourceId}/performMaintenance?api-version=2026-04-01`);
    expect(write.headers["x-ms-ratelimit-remaining-subscription-writes"]).toBe("1");
  });
});
