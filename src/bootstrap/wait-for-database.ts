// Start-up: the database may come up after the service (a container starting beside it). Wait for it for a bounded
// time, then fail with a message that names the server, instead of crash-looping or hanging.
import { ensureDatabase } from "../db/migrate.js";

/** Errors that mean "not reachable yet": worth another try. Anything else (bad password, …) fails at once. */
const TRANSIENT = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND", "57P03" /* cannot_connect_now */]);

export async function waitForDatabase(databaseUrl: string, timeoutMs: number, log: (msg: string) => void): Promise<void> {
  const { hostname, port } = new URL(databaseUrl);
  const where = `${hostname}:${port || 5432}`;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureDatabase(databaseUrl);
      return;
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      const message = error instanceof Error ? error.message : String(error);
      if (!TRANSIENT.has(code)) throw new Error(`database at ${where}: ${message}`, { cause: error });
      if (Date.now() >= deadline) {
        throw new Error(`database at ${where} unreachable after ${Math.round(timeoutMs / 1000)} s (DATABASE_CONNECT_TIMEOUT): ${message || code}`, { cause: error });
      }
      if (attempt === 1) log(`waiting for the database at ${where} (${code})`);
      await new Promise((r) => setTimeout(r, Math.min(1000, 100 * attempt)));
    }
  }
}
