// The portal page in headless Chromium against the real service process (src/main.ts with its scheduler) on a
// test database and the ARM simulator: the fleet shows, filters narrow and survive a reload, booking in
// Asia/Kolkata stores the matching UTC time, cancelling works, a booking the scheduler completes appears without
// a reload, rows are virtualised, there are no serious accessibility violations, and a screenshot is kept.
import { statSync } from "node:fs";
import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath } from "../helpers/browser.js";
import { startPortal, type Portal } from "../helpers/portal.js";
import { until } from "../helpers/until.js";

const FLEET = { subscriptions: 2, vmsPerSubscription: 400, scaleSetsPerSubscription: 2, instancesPerScaleSet: 6, seed: 11 };
const DAY = 86_400_000;

interface ApiVm { id: string; name: string; maintenance: unknown }


describe("portal page (Chromium)", () => {
  let portal: Portal;
  const api = <T>(path: string, init?: RequestInit) => portal.api<T>(path, init);
  const all = (path: string) => portal.all<ApiVm>(path);
  const open = (path = "/", timezoneId?: string) => portal.open(path, timezoneId);
  const service = { output: () => portal.service.output() };
  let openVms: ApiVm[] = [];
  let used = 0;
  /** A VM whose self-service window is open, whose name is unique, and that no other test uses. */
  const freshOpenVm = () => openVms[used++];

  beforeAll(async () => {
    // Bookings may start 2 s after they are made, so the scheduler's work can be watched within a test.
    portal = await startPortal(FLEET, { BOOKING_MIN_LEAD_SECONDS: "2", OPERATION_POLL_INTERVAL: "200ms", DISPATCH_INTERVAL: "200ms" });
    // Names repeat across subscriptions: tests find a VM by a name only it has.
    const names = new Map<string, number>();
    for (const vm of await portal.all<ApiVm>("/v1/virtual-machines?limit=1000")) names.set(vm.name, (names.get(vm.name) ?? 0) + 1);
    openVms = (await portal.all<ApiVm>("/v1/virtual-machines?maintenance=self-service-open&limit=1000")).filter((vm) => names.get(vm.name) === 1 && !vm.name.includes("_"));
  }, 120_000);
  afterAll(() => portal?.close());

  const renderedNames = (page: Page) => page.locator(".rows-inner li.row .vm-name").allTextContents();
  const openPanel = (page: Page, name: string) => page.locator(".rows-inner").getByRole("button", { name, exact: true }).click();

  it("shows the simulated fleet with maintenance windows and the VMs still to book, soonest deadline first", async () => {
    const { page, problems, close } = await open();
    expect(await page.locator(".win-self").count()).toBeGreaterThan(0);
    const unbooked = await all("/v1/virtual-machines?maintenance=unbooked&limit=1000");
    await expect.poll(() => page.locator("#unbooked-title").textContent()).toContain(`(${unbooked.length})`);
    const first = await page.locator(".unbooked-list li .vm-name").first().textContent();
    // The deadline: the end of the self-service window while it is ahead, else when Azure maintains the VM itself.
    const now = Date.now();
    const deadline = (vm: any) => {
      const end = Date.parse(vm.maintenance.selfServiceWindow.end);
      return end > now ? end : Date.parse(vm.maintenance.scheduledWindow.start);
    };
    const soonest = Math.min(...unbooked.map(deadline));
    expect(unbooked.filter((vm) => deadline(vm) === soonest).map((vm) => vm.name)).toContain(first);
    expect(problems.errors, service.output()).toEqual([]);
    await close();
  });

  it("renders only the rows in view and fetches further pages while scrolling to the end", async () => {
    const total = (await all("/v1/virtual-machines?limit=1000")).length;
    const { page, close } = await open();
    const rows = page.locator(".rows");
    await until("every page", async () => {
      await rows.evaluate((el) => (el.scrollTop = el.scrollHeight));
      return (await page.locator(".range").textContent())?.includes(`· ${total} VMs`);
    });
    expect(await page.locator(".rows-inner li").count()).toBeLessThan(80);
    const last = await renderedNames(page);
    expect(last.length).toBeGreaterThan(5);
    await close();
  });

  it("narrows the rows with a filter, keeps it in the URL, and still applies it after a reload", async () => {
    const { page, close } = await open();
    await page.fill("input[name=q]", "vm-db-00");
    await page.press("input[name=q]", "Enter");
    await page.waitForURL(/q=vm-db-00/);
    await expect.poll(async () => (await renderedNames(page)).every((n) => n.includes("vm-db-00"))).toBe(true);
    const narrowed = await renderedNames(page);
    expect(narrowed.length).toBeGreaterThan(0);
    await page.reload();
    await page.locator(".rows-inner li.row").first().waitFor();
    expect(await page.inputValue("input[name=q]")).toBe("vm-db-00");
    expect(await renderedNames(page)).toEqual(narrowed);
    await close();
  });

  it("books at the UTC time matching the local time entered in Asia/Kolkata, moves, then cancels", async () => {
    const vm = freshOpenVm();
    const { page, problems, close } = await open(`/?q=${vm.name}`, "Asia/Kolkata");
    // Chromium may report the zone by its older name.
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toMatch(/^Asia\/(Kolkata|Calcutta)$/);
    await openPanel(page, vm.name);
    const panel = page.locator(".panel");
    // Tomorrow 10:30 in Kolkata (UTC+05:30) is 05:00 UTC.
    const date = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Kolkata" }).format(Date.now() + DAY);
    await panel.locator("input[name=startAt]").fill(`${date}T10:30`);
    await expect.poll(() => panel.locator(".utc").textContent()).toBe(`= ${date} 05:00 UTC`);
    await panel.getByRole("button", { name: "Book", exact: true }).click();
    await panel.locator(".badge.state-scheduled").first().waitFor();
    const [booking] = (await api<{ value: { id: string; startAt: string; state: string }[] }>(`/v1/bookings?virtualMachineId=${vm.id}`)).value;
    expect(booking.startAt).toBe(`${date}T05:00:00.000Z`);

    // Moved to 11:45 Kolkata = 06:15 UTC (the page reads the ETag and sends If-Match).
    await panel.getByRole("button", { name: "Move…" }).click();
    const move = panel.getByRole("group", { name: "Move the booking" });
    await move.locator("input[name=startAt]").fill(`${date}T11:45`);
    await move.getByRole("button", { name: "Move", exact: true }).click();
    await until("the booking moved", async () => (await api<{ startAt: string }>(`/v1/bookings/${booking.id}`)).startAt === `${date}T06:15:00.000Z`);

    await panel.getByRole("button", { name: "Cancel booking…" }).click();
    await panel.getByRole("button", { name: "Yes, cancel the booking" }).click();
    await panel.getByText("Cancelled", { exact: false }).or(panel.locator(".badge.state-cancelled")).first().waitFor();
    await until("the booking cancelled", async () => (await api<{ state: string }>(`/v1/bookings/${booking.id}`)).state === "cancelled");
    await panel.getByRole("group", { name: `Book ${vm.name}` }).waitFor();
    expect(problems.errors, service.output()).toEqual([]);
    await close();
  });

  it("books a selection of VMs at one time in one batch request, each with its own answer", async () => {
    const picked = [freshOpenVm(), freshOpenVm()];
    const { page, problems, close } = await open(`/?q=vm-`);
    for (const vm of picked) {
      await page.fill("input[name=q]", vm.name);
      await page.press("input[name=q]", "Enter");
      await page.locator(".rows-inner").getByRole("checkbox", { name: `Select ${vm.name}`, exact: true }).check();
    }
    await page.getByText("2 selected").waitFor();
    const posts: string[] = [];
    page.on("request", (r) => void (r.method() === "POST" && posts.push(new URL(r.url()).pathname)));
    await page.getByRole("button", { name: "Book selected…" }).click();
    const form = page.getByRole("group", { name: "Book 2 VMs" });
    const date = new Intl.DateTimeFormat("en-CA", { timeZone: "UTC" }).format(Date.now() + 2 * DAY);
    await form.locator("input[name=startAt]").fill(`${date}T08:00`);
    await form.getByRole("button", { name: "Book 2" }).click();
    const results = page.getByRole("list", { name: "Booking results" });
    await expect.poll(async () => (await results.locator("li").allTextContents()).filter((t) => t.includes("booked (scheduled)")).length).toBe(2);
    for (const vm of picked) {
      const [booking] = (await api<{ value: { startAt: string }[] }>(`/v1/bookings?virtualMachineId=${vm.id}`)).value;
      expect(booking.startAt).toBe(`${date}T08:00:00.000Z`);
    }
    expect(posts).toEqual(["/v1/booking-batches"]); // one request for the selection
    expect(problems.errors, service.output()).toEqual([]);
    await close();
  });

  it("explains a refused booking in words, with the times the rules accept", async () => {
    const vm = freshOpenVm();
    const { page, close } = await open(`/?q=${vm.name}`, "Asia/Kolkata");
    await openPanel(page, vm.name);
    const panel = page.locator(".panel");
    const yesterday = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Kolkata" }).format(Date.now() - DAY);
    await panel.locator("input[name=startAt]").fill(`${yesterday}T10:30`);
    await panel.getByRole("button", { name: "Book", exact: true }).click();
    const alert = panel.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/startAt .*Choose a time from .* UTC\)/);
    await close();
  });

  it("shows a booking the scheduler completes without a reload, in the panel and on the timeline", async () => {
    const vm = freshOpenVm();
    const { page, problems, close } = await open(`/?q=${vm.name}&zoom=1d`);
    await openPanel(page, vm.name);
    await page.locator(".panel").getByText("Bookings (0)").waitFor();
    await api("/v1/bookings", { method: "POST", body: JSON.stringify({ virtualMachineId: vm.id, startAt: new Date(Date.now() + 4_000).toISOString() }) });
    await page.locator(".panel .bookings .badge.state-completed").waitFor({ timeout: 60_000 });
    await page.locator(".rows-inner .booking.state-completed").waitFor({ timeout: 30_000 });
    expect(problems.errors, service.output()).toEqual([]);
    await close();
  }, 120_000);

  it("has no serious or critical accessibility violations (page, and with the VM panel open)", async () => {
    const { page, close } = await open();
    const serious = async () => (await new AxeBuilder({ page }).analyze()).violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
    expect(await serious()).toEqual([]);
    await page.locator(".rows-inner .vm-name").first().click();
    await page.locator(".panel h2").waitFor();
    expect(await serious()).toEqual([]);
    await close();
  });

  it("is usable with the keyboard: arrow keys move between rows, Enter opens the panel, Escape closes it", async () => {
    const { page, close } = await open();
    const first = page.locator(".rows-inner .vm-name").first();
    await first.focus();
    const name0 = await first.textContent();
    await page.keyboard.press("ArrowDown");
    // Focus moves in an effect after the re-render: wait for it. Runs in the page (this file is type-checked without the DOM library).
    const focused = () => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent);
    await expect.poll(focused).not.toBe(name0);
    const name1 = await focused();
    expect(name1).toMatch(/^vm-/);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator(".panel h2").textContent()).toBe(name1);
    await page.keyboard.press("Escape");
    await page.locator(".panel").waitFor({ state: "detached" });
    await close();
  });

  it("keeps a screenshot of the timeline (test-artifacts/timeline.png)", async () => {
    const { page, close } = await open("/?group=availabilitySet");
    await page.locator(".group-row").first().waitFor();
    const file = artifactPath("timeline.png");
    await page.screenshot({ path: file });
    expect(statSync(file).size).toBeGreaterThan(20_000);
    await close();
  });
});
