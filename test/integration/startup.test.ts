// Start-up fails fast and says why: a bad setting names its variable; an unreachable database is waited for a
// bounded time, then named.
import { afterAll, describe, expect, it } from "vitest";
import { startService, stopAll } from "../helpers/service-process.js";

afterAll(() => stopAll());

describe("start-up", () => {
  it("stops with exit code 2 and the variable's name when config is invalid", async () => {
    const service = startService({ PORT: "not-a-port", AUTH_MODE: "none" });
    expect(await service.exited).toBe(2);
    expect(service.output()).toContain("PORT");
  });

  it("waits DATABASE_CONNECT_TIMEOUT for an unreachable database, then exits 1 naming it", async () => {
    const started = Date.now();
    // Port 1 on loopback: nothing listens there, so every connection is refused at once.
    const service = startService({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/mp", DATABASE_CONNECT_TIMEOUT: "2s", PORT: "0", LOG_LEVEL: "warn" });
    expect(await service.exited).toBe(1);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThan(15_000);
    expect(service.output()).toMatch(/database at 127\.0\.0\.1:1 unreachable after 2 s/);
  }, 30_000);
});
