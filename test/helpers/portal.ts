// What the page tests share: the real service process on a test database and the simulator, its start-up sync
// waited for, a JSON client for its API, and headless Chromium opening the page on it.
import type { Browser, Page } from "playwright-core";
import type { FleetOptions, Simulator } from "../../src/azure/simulator/index.js";
import { launchBrowser, openPage, type PageProblems } from "./browser.js";
import { createTestDatabase, type TestDatabase } from "./database.js";
import { freePort, serviceEnv, startService, stopAll, type ServiceProcess } from "./service-process.js";
import { startTestSimulator } from "./simulator.js";
import { until } from "./until.js";

export interface OpenedPage {
  page: Page;
  problems: PageProblems;
  close(): Promise<void>;
}

export interface Portal {
  base: string;
  service: ServiceProcess;
  sim: Simulator;
  /** A JSON request to the service's API; throws on an error status. */
  api<T>(path: string, init?: RequestInit): Promise<T>;
  /** Every item of a list, following nextLink. */
  all<T>(path: string): Promise<T[]>;
  /** The page at `path` in a fresh context (optionally in a time zone), once its first row shows. */
  open(path?: string, timezoneId?: string): Promise<OpenedPage>;
  close(): Promise<void>;
}

/** Starts everything; `env`: the service's extra settings. Call from beforeAll (it waits for the start-up sync). */
export async function startPortal(fleet: FleetOptions, env: Record<string, string>): Promise<Portal> {
  const database: TestDatabase = await createTestDatabase();
  const sim = await startTestSimulator({ fleet });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const service = startService(serviceEnv(sim, database.url, { PORT: String(port), ...env }));
  const api = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await fetch(`${base}${path}`, { ...init, headers: { "content-type": "application/json", ...init?.headers } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const all = async <T>(path: string): Promise<T[]> => {
    const items: T[] = [];
    for (let next: string | null = path; next; ) {
      const page: { value: T[]; nextLink: string | null } = await api(next);
      items.push(...page.value);
      next = page.nextLink;
    }
    return items;
  };
  await until("the start-up sync", async () => {
    const runs = await api<{ value: { status: string }[] }>("/v1/sync-runs?limit=1");
    return runs.value[0] && runs.value[0].status !== "running";
  }, 90_000);
  const browser: Browser = await launchBrowser();
  return {
    base, service, sim, api, all,
    async open(path = "/", timezoneId) {
      const { context, page, problems } = await openPage(browser, timezoneId ? { timezoneId } : {});
      await page.goto(`${base}${path}`);
      await page.locator(".rows-inner li.row").first().waitFor();
      return { page, problems, close: () => context.close() };
    },
    async close() {
      await browser.close();
      await stopAll();
      await sim.close();
      await database.drop();
    },
  };
}
