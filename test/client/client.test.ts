// @maintenance-planner/client against the running service (the production app listening on a port, the ARM
// simulator behind it): paged lists, idempotent creates across lost responses and 503s, problems as typed errors,
// tokens from a credential.
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MaintenancePlannerClient, MaintenancePlannerError, type Booking } from "@maintenance-planner/client";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { DAY, fromNow, HOUR, selfServiceWindow, vmFixtures } from "../helpers/bookings.js";
import { startProxy, type Proxy } from "../helpers/proxy.js";
import { syncNow } from "../helpers/sync.js";

describe("@maintenance-planner/client", () => {
  let ctx: TestContext;
  let base: string;
  const proxies: Proxy[] = [];
  const fixtures = vmFixtures(() => ctx);
  const proxy = async (...args: Parameters<typeof startProxy> extends [string, ...infer R] ? R : never) => {
    const p = await startProxy(base, ...args);
    proxies.push(p);
    return p;
  };

  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
    await syncNow(ctx.http);
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await ctx?.close();
  });

  it("lists every VM across pages, following nextLink", async () => {
    const client = new MaintenancePlannerClient({ baseUrl: base });
    const pages: number[] = [];
    for await (const page of client.pages("/v1/virtual-machines", { limit: 7 })) pages.push(page.length);
    const all: string[] = [];
    for await (const vm of client.listVirtualMachines({ limit: 7 })) all.push(vm.id);

    const everything = (await ctx.http.get("/v1/virtual-machines?limit=1000")).body.value.map((vm: { id: string }) => vm.id);
    expect(everything.length).toBeGreaterThan(7 * 3);
    expect(pages.length).toBe(Math.ceil(everything.length / 7));
    expect(all).toEqual(everything);
  });

  it("keeps the path prefix of a base URL behind a reverse proxy when following nextLink", async () => {
    const prefixed = await startProxy(base); // serves the API under /planner, as an ingress would
    proxies.push(prefixed);
    const seen: string[] = [];
    const client = new MaintenancePlannerClient({
      baseUrl: `${prefixed.url}/planner`,
      fetch: (input) => {
        const request = input as Request;
        seen.push(new URL(request.url).pathname);
        return fetch(new Request(request.url.replace("/planner", ""), request));
      },
    });
    let n = 0;
    for await (const _ of client.listVirtualMachines({ limit: 50 })) n++;
    expect(n).toBeGreaterThan(50);
    expect(seen.every((p) => p === "/planner/v1/virtual-machines")).toBe(true);
  });

  it("a create whose response is lost is retried with the same Idempotency-Key and yields one booking", async () => {
    const [vm] = await fixtures(1, () => selfServiceWindow(-HOUR, 10 * DAY));
    const lossy = await proxy((req) => (req.method === "POST" && !lossy.seen.slice(0, -1).some((r) => r.method === "POST") ? "lose-response" : "forward"));
    const client = new MaintenancePlannerClient({ baseUrl: lossy.url, retry: { baseDelayMs: 10 } });

    const booking = await client.createBooking({ virtualMachineId: vm.id, startAt: fromNow(DAY), note: "lost once" });

    const posts = lossy.seen.filter((r) => r.method === "POST");
    expect(posts).toHaveLength(2);
    expect(posts[0].headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(posts[1].headers["idempotency-key"]).toBe(posts[0].headers["idempotency-key"]);
    const stored = (await ctx.http.get(`/v1/bookings?virtualMachineId=${vm.id}`)).body.value as Booking[];
    expect(stored.map((b) => b.id)).toEqual([booking.id]);
  });

  it("a 503 with Retry-After is waited out and retried with the same key; one booking", async () => {
    const [vm] = await fixtures(1, () => selfServiceWindow(-HOUR, 10 * DAY));
    const busy = await proxy((_, i) => (i === 0 ? { status: 503, headers: { "retry-after": "1", "content-type": "application/problem+json" }, body: '{"code":"unavailable","status":503}' } : "forward"));
    const client = new MaintenancePlannerClient({ baseUrl: busy.url });

    const started = Date.now();
    const booking = await client.createBooking({ virtualMachineId: vm.id, startAt: fromNow(DAY) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(busy.seen.map((r) => r.headers["idempotency-key"])).toEqual([busy.seen[0].headers["idempotency-key"], busy.seen[0].headers["idempotency-key"]]);
    expect((await ctx.http.get(`/v1/bookings?virtualMachineId=${vm.id}`)).body.value.map((b: Booking) => b.id)).toEqual([booking.id]);
  });

  it("books many VMs in one request, each item answered; a batch whose response is lost is retried with the same key and books once", async () => {
    const vms = await fixtures(3, () => selfServiceWindow(-HOUR, 10 * DAY));
    const lossy = await proxy((req) => (req.method === "POST" && !lossy.seen.slice(0, -1).some((r) => r.method === "POST") ? "lose-response" : "forward"));
    const client = new MaintenancePlannerClient({ baseUrl: lossy.url, retry: { baseDelayMs: 10 } });
    const items = [...vms.map((vm) => ({ virtualMachineId: vm.id, startAt: fromNow(DAY) })), { virtualMachineId: vms[0].id, startAt: fromNow(DAY) }];

    const batch = await client.createBookingBatch({ items });

    expect(batch.results.map((r) => r.status)).toEqual([201, 201, 201, 409]);
    const refused = batch.results[3];
    expect("problem" in refused && refused.problem?.code).toBe("active-booking-exists");
    const posts = lossy.seen.filter((r) => r.method === "POST");
    expect(posts).toHaveLength(2);
    expect(posts[1].headers["idempotency-key"]).toBe(posts[0].headers["idempotency-key"]);
    for (const vm of vms) expect((await ctx.http.get(`/v1/bookings?virtualMachineId=${vm.id}`)).body.value).toHaveLength(1);
  });

  it("gives up after its attempts, and does not repeat a request without an Idempotency-Key after a lost response", async () => {
    const always = await proxy(() => ({ status: 429, headers: { "retry-after": "0" }, body: '{"code":"too-many-requests","status":429,"detail":"slow down"}' }));
    const client = new MaintenancePlannerClient({ baseUrl: always.url, retry: { maxAttempts: 3 } });
    const error = await client.getBooking("0b5e3c2a-7d4f-4e58-9a51-2f1f0f6f3c11").catch((e) => e);
    expect(error).toMatchObject({ code: "too-many-requests", status: 429 });
    expect(always.seen).toHaveLength(3);

    const [vm] = await fixtures(1, () => selfServiceWindow(-HOUR, 10 * DAY));
    const booking = await new MaintenancePlannerClient({ baseUrl: base }).createBooking({ virtualMachineId: vm.id, startAt: fromNow(DAY) });
    const lossy = await proxy(() => "lose-response");
    await expect(new MaintenancePlannerClient({ baseUrl: lossy.url }).cancelBooking(booking.id)).rejects.toThrow();
    expect(lossy.seen).toHaveLength(1);
  });

  it("raises problems as MaintenancePlannerError carrying code, status, detail and the problem's extensions", async () => {
    const client = new MaintenancePlannerClient({ baseUrl: base });
    const [none] = await fixtures(1, () => null);
    const noMaintenance = await client.createBooking({ virtualMachineId: none.id, startAt: fromNow(DAY) }).catch((e) => e);
    expect(noMaintenance).toBeInstanceOf(MaintenancePlannerError);
    expect(noMaintenance).toMatchObject({ code: "no-pending-maintenance", status: 422, detail: expect.stringContaining(none.id) });
    expect(noMaintenance.problem.type).toBe("/problems/no-pending-maintenance");

    const [vm] = await fixtures(1, () => selfServiceWindow(-HOUR, 10 * DAY));
    const first = await client.createBooking({ virtualMachineId: vm.id, startAt: fromNow(DAY) });
    const again = await client.createBooking({ virtualMachineId: vm.id, startAt: fromNow(2 * DAY) }).catch((e) => e);
    expect(again).toMatchObject({ code: "active-booking-exists", status: 409, problem: { existingBookingId: first.id } });
  });

  it("moves with If-Match from the version it reads, and cancels", async () => {
    const client = new MaintenancePlannerClient({ baseUrl: base });
    const [vm] = await fixtures(1, () => selfServiceWindow(-HOUR, 10 * DAY));
    const booking = await client.createBooking({ virtualMachineId: vm.id, startAt: fromNow(DAY) });
    const later = new Date(Date.parse(booking.startAt) + HOUR).toISOString();
    expect((await client.updateBooking(booking.id, { startAt: later })).startAt).toBe(later);
    const stale = await client.updateBooking(booking.id, { note: "x" }, { ifMatch: '"1"' }).catch((e) => e);
    expect(stale).toMatchObject({ status: 412 });
    expect((await client.cancelBooking(booking.id)).state).toBe("cancelled");
    expect((await client.waitForBooking(booking.id, { intervalMs: 10 })).state).toBe("cancelled");
  });

  it("sends a bearer token from the credential for the configured scope, fetched once while it is valid", async () => {
    const recorder = await proxy();
    const scopes: (string | string[])[] = [];
    const credential = { getToken: async (scope: string | string[]) => (scopes.push(scope), { token: "token-1", expiresOnTimestamp: Date.now() + HOUR }) };
    const client = new MaintenancePlannerClient({ baseUrl: recorder.url, scope: "api://maintenance-planner/.default", credential });
    for await (const _ of client.listVirtualMachines({ limit: 20 })) { /* every page */ }
    expect(recorder.seen.length).toBeGreaterThan(1);
    expect(recorder.seen.every((r) => r.headers.authorization === "Bearer token-1")).toBe(true);
    expect(scopes).toEqual(["api://maintenance-planner/.default"]);

    await new MaintenancePlannerClient({ baseUrl: recorder.url, token: "static" }).getBooking("0b5e3c2a-7d4f-4e58-9a51-2f1f0f6f3c11").catch(() => undefined);
    expect(recorder.seen.at(-1)?.headers.authorization).toBe("Bearer static");
  });
});
