// Page benchmark: the portal page in headless Chromium against the built service with 10,000 VMs that all carry
// maintenance windows. Measures what a person waits for: the first rows, every VM placed under its availability
// set (that grouping fetches all pages), the to-book list filled, and how smoothly the timeline scrolls from top to
// bottom (frame times), with how many rows are ever in the page.
import { freePort } from "../test/helpers/service-process.js";
import { launchBrowser, openPage } from "../test/helpers/browser.js";
import { buildService, fleetWithWindows, serviceReady, startServer, stopServer } from "./deployed.js";

// The functions passed to page.evaluate run in the page, whose Content-Security-Policy refuses strings of code;
// this file is type-checked without the DOM library, so these declare the little they use.
declare const document: {
  querySelector(selector: string): { textContent: string | null; scrollTop: number; scrollHeight: number; clientHeight: number } | null;
  querySelectorAll(selector: string): { length: number };
};
declare function requestAnimationFrame(callback: () => void): number;

const FLEET = { subscriptions: 4, vmsPerSubscription: 2400, scaleSetsPerSubscription: 4, instancesPerScaleSet: 25, seed: 42 };

export interface PageBenchResult {
  measure: string;
  value: string;
}

export async function benchPage(): Promise<PageBenchResult[]> {
  buildService();
  const fleet = await fleetWithWindows(FLEET);
  const service = startServer("service", ["dist/src/main.js"], fleet.env, await freePort());
  const browser = await launchBrowser();
  try {
    await serviceReady(service);
    const total = fleet.simulator.vms().length;
    const { page } = await openPage(browser);
    const rows: PageBenchResult[] = [{ measure: "VMs", value: String(total) }];
    const timed = async (measure: string, run: () => Promise<unknown>) => {
      const started = performance.now();
      await run();
      rows.push({ measure, value: `${Math.round(performance.now() - started)} ms` });
    };
    await timed("first rows on screen (navigation → rows)", async () => {
      await page.goto(`${service.url}/`);
      await page.locator(".rows-inner li.row").first().waitFor({ timeout: 120_000 });
    });
    await timed("to-book list filled (all unbooked VMs, sorted by deadline)", () => page.waitForFunction(() => /\(\d+\)/.test(document.querySelector("#unbooked-title")?.textContent ?? ""), undefined, { timeout: 120_000 }));
    await timed(`all ${total} VMs grouped by availability set`, async () => {
      await page.goto(`${service.url}/?group=availabilitySet`);
      await page.waitForFunction((n) => document.querySelector(".range")?.textContent?.includes(`· ${n} VMs`), total, { timeout: 180_000 });
    });
    // Scroll top to bottom in steps, one step per frame, timing each frame.
    const scroll = await page.evaluate(async () => {
      const el = document.querySelector(".rows")!;
      const frames: number[] = [];
      let most = 0;
      let last = performance.now();
      for (let top = 0; top < el.scrollHeight; top += el.clientHeight) {
        el.scrollTop = top;
        await new Promise((r) => requestAnimationFrame(() => r(null)));
        const now = performance.now();
        frames.push(now - last);
        last = now;
        most = Math.max(most, document.querySelectorAll(".rows-inner > li").length);
      }
      frames.sort((a, b) => a - b);
      return { frames: frames.length, p50: frames[Math.floor(frames.length / 2)], p95: frames[Math.floor(frames.length * 0.95)], most };
    });
    rows.push({ measure: `scroll top → bottom (${scroll.frames} screens): frame time p50 / p95`, value: `${Math.round(scroll.p50)} / ${Math.round(scroll.p95)} ms` });
    rows.push({ measure: "rows in the page at most while scrolling", value: String(scroll.most) });
    return rows;
  } finally {
    await browser.close();
    await stopServer(service);
    await fleet.close();
  }
}
