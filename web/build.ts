// Builds the page into dist/web when its sources changed since the last build (or when it was never built):
// `npm start` (prestart), `npm run build` and the test suite's global setup run this, so `npm ci && npm start`
// serves the page with no further step. A content hash of web/ and package-lock.json decides; the new build is
// written next to the old one and swapped in, so a server reading dist/web never sees half a build.
//   tsx web/build.ts [--force] [--out DIR]
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const WEB = import.meta.dirname;
const ROOT = path.dirname(WEB);
export const PAGE_DIR = path.join(ROOT, "dist", "web");
const STAMP = ".source-hash";

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.name !== "node_modules" && !e.name.startsWith("."))
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

export function sourceHash(): string {
  const hash = createHash("sha256");
  for (const file of [...files(WEB), path.join(ROOT, "package-lock.json")]) {
    hash.update(path.relative(ROOT, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

/** Builds unless `out` already holds a build of these sources; returns whether it built. */
export async function ensurePageBuilt(opts: { force?: boolean; out?: string } = {}): Promise<boolean> {
  const out = path.resolve(opts.out ?? PAGE_DIR);
  const hash = sourceHash();
  const stamp = path.join(out, STAMP);
  if (!opts.force && existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return false;
  const { build } = await import("vite");
  const next = `${out}.next-${process.pid}`;
  await build({ configFile: path.join(WEB, "vite.config.ts"), build: { outDir: next, emptyOutDir: true } });
  writeFileSync(path.join(next, STAMP), hash);
  const old = `${out}.old-${process.pid}`;
  if (existsSync(out)) renameSync(out, old);
  renameSync(next, out);
  rmSync(old, { recursive: true, force: true });
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf("--out");
  const started = Date.now();
  const built = await ensurePageBuilt({ force: args.includes("--force"), out: outIndex >= 0 ? args[outIndex + 1] : undefined });
  console.log(built ? `page built into ${path.relative(process.cwd(), path.resolve(outIndex >= 0 ? args[outIndex + 1] : PAGE_DIR)) || "."} in ${Date.now() - started} ms` : "page is up to date");
}
