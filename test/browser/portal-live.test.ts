// The page's live updates come from the event stream, and the timeline groups by maintenance group. The page is
// served with UI_POLL_INTERVAL=1h, so within a test only GET /v1/event-stream can bring a change made elsewhere.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortal, type Portal } from "../helpers/portal.js";

const FLEET = { subscriptions: 1, vmsPerSubscription: 12, scaleSetsPerSubscription: 0, seed: 17 };

interface ApiVm { id: string; name: string; resourceGroup: string; tags: Record<string, string> }

describe("portal page: live updates and maintenance groups (Chromium)", () => {
  let portal: Portal;
  const api = <T>(path: string, init?: RequestInit) => portal.api<T>(path, init);
  const open = (path: string) => portal.open(path);
  const service = { output: () => portal.service.output() };
  let openVms: ApiVm[] = [];

  beforeAll(async () => {
    portal = await startPortal(FLEET, { BOOKING_MIN_LEAD_SECONDS: "2", UI_POLL_INTERVAL: "1h" });
    openVms = (await api<{ value: ApiVm[] }>("/v1/virtual-machines?maintenance=self-service-open&limit=1000")).value;
  }, 120_000);
  afterAll(() => portal?.close());

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
