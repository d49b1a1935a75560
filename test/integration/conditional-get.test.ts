// Conditional GET on what the portal page polls: the VM list, a VM's detail and the bookings list answer with a
// weak ETag and 304 (no body) while nothing changed, and a new ETag once something did.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { DAY, HOUR, fromNow, selfServiceWindow, vmFixtures } from "../helpers/bookings.js";
import { expectContract } from "../helpers/openapi.js";

describe("conditional GET (ETag / If-None-Match)", () => {
  let ctx: TestContext;
  const vms = vmFixtures(() => ctx);

  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(() => ctx?.close());

  // The unbooked list changes when a VM is booked; the detail carries the booking; so does the bookings list.
  it.each(["/v1/virtual-machines?maintenance=unbooked&limit=1000", "/v1/bookings", "vm-detail"])("%s: 304 while unchanged, 200 with a new ETag after a booking", async (which) => {
    const [vm] = await vms(1, () => selfServiceWindow(-DAY, 20 * DAY));
    const url = which === "vm-detail" ? `/v1/virtual-machines/${vm.id}` : which;
    const first = await ctx.http.get(url);
    expectContract(first);
    expect(first.status).toBe(200);
    const etag = first.headers.etag;
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);

    const again = await ctx.http.get(url).set("if-none-match", `"other", ${etag}`);
    expectContract(again);
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
    expect(again.headers.etag).toBe(etag);

    const booked = await ctx.http.post("/v1/bookings").send({ virtualMachineId: vm.id, startAt: fromNow(2 * HOUR) });
    expect(booked.status).toBe(201);
    const changed = await ctx.http.get(url).set("if-none-match", etag);
    expectContract(changed);
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it("a stale or malformed If-None-Match gets the full answer", async () => {
    for (const header of ['W/"stale"', "garbage", ""]) {
      const res = await ctx.http.get("/v1/bookings").set("if-none-match", header);
      expectContract(res);
      expect(res.status).toBe(200);
    }
  });
});
