// Reads migrations in Prisma's layout, prisma/migrations/<timestamp>_<name>/migration.sql, so that
// `prisma migrate deploy` (where its engine is available) and our umzug runner apply the same files.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export type MigrationFile = { name: string; path: string; sql: string; checksum: string };

/**
 * The package root: the nearest ancestor of this file holding package.json. Works from src/db/ under tsx and
 * from dist/src/db/ after tsc, as long as prisma/migrations ships next to package.json (e.g. in the image).
 */
export function packageRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export function defaultMigrationsDir(): string {
  return path.join(packageRoot(), "prisma", "migrations");
}

/** Sorted by folder name, which starts with a UTC timestamp, like Prisma orders them. */
export async function readMigrationFiles(dir = defaultMigrationsDir()): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, "migration.sql")))
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name, "migration.sql");
      const bytes = await readFile(file);
      // Prisma's checksum: lowercase hex sha256 of the file's bytes (no newline normalisation).
      const checksum = createHash("sha256").update(bytes).digest("hex");
      return { name, path: file, sql: bytes.toString("utf8"), checksum };
    }),
  );
}
