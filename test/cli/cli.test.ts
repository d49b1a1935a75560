// The CLI end to end: real `maintenance-planner` processes against the service running as a process (src/main.ts)
// on a test database, with the ARM simulator and short lead and operation times so the scheduler completes
// bookings within the test.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator, SimVm } from "../../src/azure/simulator/index.js";
import { DAY, HOUR, selfServiceWindow } from "../helpers/bookings.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { freePort, serviceEnv, startService, stopAll } from "../helpers/service-process.js";
import { startTestSimulator } from "../helpers/simulator.js";
import { until } from "../helpers/until.js";

type Json = Record<string, any>;

describe("maintenance-planner CLI", () => {
  let database: TestDatabase;
  let sim: Simulator;
  let base: string;
  let booked: SimVm[];
  const dir = mkdtempSync(path.join(tmpdir(), "mp-cli-"));
  const cli = (...args: string[]) => runCli(args, { MAINTENANCE_PLANNER_URL: base });
  const api = async (pathAndQuery: string): Promise<Json> => (await fetch(`${base}${pathAndQuery}`)).json() as Promise<Json>;
  const json = (stdout: string) => JSON.parse(stdout);
  let nextVm = 0;
  /** A bookable VM whose name no other VM has (names repeat across subscriptions). */
  const uniqueVm = async (): Promise<SimVm> => {
    const all = (await api("/v1/virtual-machines?limit=1000")).value as Json[];
    for (;;) {
      const vm = booked[nextVm++];
      if (all.filter((v) => v.name === vm.name).length === 1) return vm;
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startTestSimulator({ operationDurationMs: 30 });
    booked = sim.vms().filter((vm) => !vm.scaleSetName).slice(0, 20);
    for (const vm of booked) sim.setMaintenance(vm.resourceId, selfServiceWindow(-HOUR, 10 * DAY));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    startService(serviceEnv(sim, database.url, { PORT: String(port), BOOKING_MIN_LEAD_SECONDS: "2", DISPATCH_INTERVAL: "200ms", OPERATION_POLL_INTERVAL: "100ms" }));
    // The start-up sync has finished when a run exists and none is running.
    await until("the start-up sync", async () => {
      const runs = (await api("/v1/sync-runs")).value as Json[];
      return runs.length > 0 && runs.every((r) => r.status !== "running") ? true : undefined;
    }, 60_000);
  }, 90_000);
  afterAll(async () => {
    await stopAll();
    await sim?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("vms list --output json prints exactly what the API lists, every page", async () => {
    const { code, stdout } = await cli("vms", "list", "--output", "json");
    expect(code).toBe(0);
    const fromApi = (await api("/v1/virtual-machines?limit=1000")).value;
    expect(json(stdout)).toEqual(fromApi);

    const tagged = await cli("vms", "list", "--maintenance", "self-service-open", "--tag", "env=prod");
    const expected = (await api("/v1/virtual-machines?limit=1000&maintenance=self-service-open")).value.filter((vm: Json) => vm.tags.env === "prod");
    expect(json(tagged.stdout).map((vm: Json) => vm.id)).toEqual(expected.map((vm: Json) => vm.id));
    expect(expected.length).toBeGreaterThan(0);
  });

  it("bookings create, then bookings wait exits 0 once the scheduler has completed it", async () => {
    const vm = await uniqueVm();
    const created = await cli("bookings", "create", "--vm", vm.name, "--at", "+4s", "--note", "from the CLI");
    expect(created.code, created.stderr).toBe(0);
    const booking = json(created.stdout);
    expect(booking).toMatchObject({ state: "scheduled", note: "from the CLI" });
    expect(booking.virtualMachineId).toBe((await api(`/v1/bookings/${booking.id}`)).virtualMachineId);

    const waited = await cli("bookings", "wait", booking.id, "--interval", "200ms", "--timeout", "60s");
    expect(waited.code, waited.stderr).toBe(0);
    expect(json(waited.stdout).state).toBe("completed");
    expect(sim.requests({ operation: "performMaintenance" }).some((r) => r.path.toLowerCase().includes(vm.resourceId.toLowerCase()))).toBe(true);
  }, 90_000);

  it("bookings wait exits with the code of another final state (cancelled: 12), and 3 when it times out", async () => {
    const vm = await uniqueVm();
    const { stdout } = await cli("bookings", "create", "--vm", vm.resourceId, "--at", "+2h");
    const { id } = json(stdout);
    const timedOut = await cli("bookings", "wait", id, "--interval", "100ms", "--timeout", "300ms");
    expect(timedOut.code).toBe(3);
    expect(timedOut.stderr).toMatch(/still scheduled/);

    const moved = await cli("bookings", "move", id, "--at", "+3h");
    expect(moved.code, moved.stderr).toBe(0);
    expect(Date.parse(json(moved.stdout).startAt) - Date.now()).toBeGreaterThan(2.9 * HOUR);
    expect((await cli("bookings", "cancel", id)).code).toBe(0);
    const waited = await cli("bookings", "wait", id);
    expect(waited.code).toBe(12);
    expect(json(waited.stdout).state).toBe("cancelled");
  }, 60_000);

  it("apply creates what the plan asks, changes nothing the second time, and --dry-run changes nothing", async () => {
    const [a, b] = [await uniqueVm(), await uniqueVm()];
    const file = path.join(dir, "plan.yaml");
    const at = new Date(Date.now() + DAY).toISOString().slice(0, 16); // a wall-clock time, read in timeZone
    writeFileSync(file, `timeZone: Europe/Amsterdam\nbookings:\n  - vm: ${a.name}\n    at: "${at}"\n    note: patch night\n  - vm: ${b.resourceId}\n    at: "${at}:00Z"\n`);

    const first = await cli("apply", "-f", file, "--output", "json");
    expect(first.code, first.stderr).toBe(0);
    expect(json(first.stdout).map((c: Json) => [c.action, c.applied])).toEqual([["create", true], ["create", true]]);
    const second = await cli("apply", "-f", file, "--output", "json");
    expect(json(second.stdout).map((c: Json) => c.action)).toEqual(["unchanged", "unchanged"]);

    const bookingsOf = async (vm: SimVm) => {
      const id = json(first.stdout).find((c: Json) => c.vm === vm.name || c.vm === vm.resourceId).virtualMachineId;
      return (await api(`/v1/bookings?virtualMachineId=${id}`)).value as Json[];
    };
    const [bookingA] = await bookingsOf(a);
    expect(bookingA).toMatchObject({ state: "scheduled", note: "patch night" });
    expect(Date.parse(bookingA.startAt)).not.toBe(Date.parse(`${at}:00Z`)); // Amsterdam is never UTC in winter or summer

    writeFileSync(file, `bookings:\n  - vm: ${a.name}\n    at: none\n  - vm: ${b.resourceId}\n    at: "${at}:00+02:00"\n`);
    const before = [await bookingsOf(a), await bookingsOf(b)];
    const dry = await cli("apply", "-f", file, "--dry-run", "--output", "json");
    expect(dry.code, dry.stderr).toBe(0);
    expect(json(dry.stdout).map((c: Json) => [c.action, c.applied])).toEqual([["cancel", false], ["move", false]]);
    expect([await bookingsOf(a), await bookingsOf(b)]).toEqual(before);

    const applied = await cli("apply", "-f", file, "--output", "json");
    expect(json(applied.stdout).map((c: Json) => c.action)).toEqual(["cancel", "move"]);
    expect((await bookingsOf(a)).map((x) => x.state)).toEqual(["cancelled"]);
    expect(Date.parse((await bookingsOf(b))[0].startAt)).toBe(Date.parse(`${at}:00+02:00`));
    expect(json((await cli("apply", "-f", file, "--output", "json")).stdout).map((c: Json) => c.action)).toEqual(["unchanged", "unchanged"]);
  }, 90_000);

  it("usage errors exit 2 with one line saying what is wrong; API errors exit 1 naming the problem's code", async () => {
    const all = (await api("/v1/virtual-machines?limit=1000")).value as Json[];
    const shared = all.find((vm) => all.filter((v) => v.name === vm.name).length > 1)!;
    const badPlan = path.join(dir, "bad.yaml");
    writeFileSync(badPlan, "bookings:\n  - vm: x\n    when: tomorrow\n");
    const [unknownOption, missingVm, badTime, ambiguous, badZone, plan, notFound] = await Promise.all([
      cli("vms", "list", "--colour"),
      cli("bookings", "create", "--at", "+1h"),
      cli("bookings", "create", "--vm", "x", "--at", "tomorrow"),
      cli("bookings", "create", "--vm", shared.name, "--at", "+1h"),
      cli("bookings", "create", "--vm", "x", "--at", "2026-12-01T22:00", "--tz", "Mars/Olympus"),
      cli("apply", "-f", badPlan),
      cli("bookings", "get", "0b5e3c2a-7d4f-4e58-9a51-2f1f0f6f3c11"),
    ]);
    for (const usage of [unknownOption, missingVm, badTime, ambiguous, badZone, plan]) expect(usage.code, usage.stderr).toBe(2);
    expect(unknownOption.stderr).toContain("unknown option '--colour'");
    expect(missingVm.stderr).toContain("required option '--vm <ref>' not specified");
    expect(badTime.stderr).toMatch(/^maintenance-planner: the time must look like/);
    expect(ambiguous.stderr).toContain(`VMs are named ${shared.name}`);
    for (const vm of all.filter((v) => v.name === shared.name)) expect(ambiguous.stderr).toContain(vm.resourceId);
    expect(badZone.stderr).toContain("IANA time zone");
    expect(plan.stderr).toContain("unknown key when");
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toMatch(/^maintenance-planner: not-found: .+\n$/);
  }, 60_000);
});
