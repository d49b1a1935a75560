// Headless Chromium for page tests: Debian's `chromium` (installed by .ci/run when missing) driven by
// playwright-core. Playwright gives every launch a fresh, empty profile (user data dir). The flags keep Chromium
// off the network (this machine has none) and quiet.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Screenshots and other test artifacts (gitignored). */
export const ARTIFACTS = path.resolve(import.meta.dirname, "../../test-artifacts");

const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export interface PageProblems {
  /** Console errors and uncaught exceptions, CSP violations among them. */
  errors: string[];
}

/** A page in its own context (own storage), recording what went wrong in it. */
export async function openPage(browser: Browser, options: Parameters<Browser["newContext"]>[0] = {}): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, ...options });
  const page = await context.newPage();
  const problems: PageProblems = { errors: [] };
  page.on("console", (m) => m.type() === "error" && problems.errors.push(m.text()));
  page.on("pageerror", (e) => problems.errors.push(e.message));
  page.on("response", (r) => r.status() >= 500 && problems.errors.push(`${r.status()} ${r.request().method()} ${r.url()}`));
  return { context, page, problems };
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
