// The key that seals webhook signing secrets (WEBHOOK_SECRET_KEY). In simulator mode without one, a key is made
// once and kept in `webhook-secret-key` beside the embedded database's data (`.data/`, or as root the checkout's
// folder under /var/tmp: embedded-postgres-home.ts), so `npm start` just works and subscriptions survive restarts. In azure mode without one, webhooks are off (the routes answer
// `webhooks-not-configured`, the delivery job idles): a key generated on one replica would not open another's.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { Config } from "../config/config.js";
import { packageRoot } from "../db/migration-files.js";
import { ensureRootOwnedFolder, rootHomeFor } from "./embedded-postgres-home.js";
import { parseSecretKey } from "../domain/webhook-secrets.js";

/** Where this checkout keeps local data: as root, not in the checkout (it may sit in a folder others cannot enter). */
function localDataDir(): string {
  const checkout = packageRoot();
  if (process.getuid?.() !== 0) return path.join(checkout, ".data");
  const home = rootHomeFor(checkout);
  ensureRootOwnedFolder(home);
  return home;
}

export function resolveWebhookKey(config: Readonly<Config>, log: (msg: string) => void, dataDir?: string): string | null {
  if (config.webhooks.secretKey) return config.webhooks.secretKey;
  if (config.azureMode !== "simulator") {
    log("WEBHOOK_SECRET_KEY is not set: webhook subscriptions and deliveries are off");
    return null;
  }
  dataDir ??= localDataDir();
  const file = path.join(dataDir, "webhook-secret-key");
  if (existsSync(file)) {
    const key = readFileSync(file, "utf8").trim();
    if (!parseSecretKey(key)) throw new Error(`${file} does not hold a WEBHOOK_SECRET_KEY (32 bytes, base64): delete it to make a new one`);
    return key;
  }
  const key = randomBytes(32).toString("base64");
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, key + "\n", { mode: 0o600 });
  log(`simulator mode: made a webhook secret key in ${file} (set WEBHOOK_SECRET_KEY to use your own)`);
  return key;
}
