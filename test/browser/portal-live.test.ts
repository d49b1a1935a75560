// The page's live updates come from the event stream, and the timeline groups by maintenance group. The page is
// served with UI_POLL_INTERVAL=1h, so within a test only GET /v1/event-stream can bring a change made elsewhere.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/azure/simulator/index.js";
import { launchBrowser, openPage, type PageProblems } from "../helpers/browser.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { freePort, serviceEnv, startService, stopAll, type ServiceProcess } from "../helpers/service-process.js";
import { startTestSimulator } from "../helpers/simulator.js";
import { until } from "../helpers/until.js";

const FLEET = { subscriptions: 1, vmsPerSubscription: 12, scaleSetsPerSubscription: 0, seed: 17 };

interface ApiVm { id: string; name: string; resourceGroup: string; tags: Record<string, string> }

describe("portal page: live updates and maintenance groups (Chromium)", () => {
  let database: TestDatabase;
  let sim: Simulator;
  let browser: Browser;
  let base: string;
  let service: ServiceProcess;
  const api = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await fetch(`${base}${path}`, { ...init, headers: { "content-type": "application/json", ...init?.headers } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  let openVms: ApiVm[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startTestSimulator({ fleet: FLEET });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = startService(serviceEnv(sim, database.url, { PORT: String(port), BOOKING_MIN_LEAD_SECONDS: "2", UI_POLL_INTERVAL: "1h" }));
    await until("the start-up sync", async () => {
      const runs = await api<{ value: { status: string }[] }>("/v1/sync-runs?limit=1");
      return runs.value[0] && runs.value[0].status !== "running";
    }, 90_000);
    openVms = (await api<{ value: ApiVm[] }>("/v1/virtual-machines?maintenance=self-service-open&limit=1000")).value;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stopAll();
    await sim?.close();
    await database?.drop();
  });

  async function open(path: string): Promise<{ page: Page; problems: PageProblems; close(): Promise<void> }> {
    const { context, page, problems } = await openPage(browser);
    await page.goto(`${base}${path}`);
    await page.locator(".rows-inner li.row").first().waitFor();
    return { page, problems, close: () => context.close() };
  }

  it("shows a booking made elsewhere without a reload, brought by the event stream (polling is set to an hour)", async () => {
    const vm = openVms[0];
    const { page, problems, close } = await open(`/?q=${vm.name}&zoom=1d`);
    await page.locator('[data-live="stream"]').waitFor();
    expect(await page.locator(".rows-inner .booking").count()).toBe(0);
    await api("/v1/bookings", { method: "POST", body: JSON.stringify({ virtualMachineId: vm.id, startAt: new Date(Date.now() + 3 * 3_600_000).toISOString() }) });
    await page.locator(".rows-inner .booking.state-scheduled").waitFor({ timeout: 15_000 });
    expect(problems.errors, service.output()).toEqual([]);
    await close();
  }, 60_000);

  it("groups the timeline by maintenance group: a VM in two groups under each, the others under No maintenance group", async () => {
    const [a] = openVms;
    const put = (name: string, selector: object) => api(`/v1/maintenance-groups/${name}`, { method: "PUT", body: JSON.stringify({ selector, policy: {} }) });
    const all = (await api<{ value: ApiVm[] }>("/v1/virtual-machines?limit=1000")).value;
    // `wide`: the VMs of a's resource group; `narrow`: a's own tags, which only a may carry. a is in both.
    await put("wide", { resourceGroup: a.resourceGroup });
    await put("narrow", { tags: a.tags, resourceGroup: a.resourceGroup });
    const wide = all.filter((v) => v.resourceGroup === a.resourceGroup);
    const narrow = wide.filter((v) => Object.entries(a.tags).every(([k, val]) => v.tags[k] === val));
    const none = all.length - wide.length;
    const { page, problems, close } = await open("/?group=maintenanceGroup");
    const heading = (label: string, n: number) => page.locator(".group-label", { hasText: `${label} (${n})` });
    await heading("Maintenance group wide", wide.length).waitFor();
    await heading("Maintenance group narrow", narrow.length).waitFor();
    if (none > 0) await heading("No maintenance group", none).waitFor();
    await expect.poll(() => page.locator(".rows-inner .vm-name", { hasText: new RegExp(`^${a.name}$`) }).count()).toBe(2);
    expect(problems.errors, service.output()).toEqual([]);
    await close();
  }, 60_000);
});
