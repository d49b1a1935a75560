import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A PostgreSQL for the run: TEST_DATABASE_URL, the local one, or an embedded one (test/setup/test-database.ts);
    // and the page built once (test/setup/page-build.ts).
    globalSetup: ["test/setup/test-database.ts", "test/setup/page-build.ts"],
    // Each file builds its own database; files run in parallel processes, tests inside a file in order.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});
