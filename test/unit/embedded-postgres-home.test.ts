// Where the embedded PostgreSQL's files live when it runs as another OS user (started as root), and the checks
// that keep that place safe.
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureRootOwnedFolder, relocateBinaries, requireTraversable, rootHomeFor } from "../../src/bootstrap/embedded-postgres-home.js";

const asRoot = process.getuid?.() === 0;
const dir = mkdtempSync(path.join(tmpdir(), "mp-home-")); // 0700, like a `mktemp -d` checkout
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("requireTraversable", () => {
  const nobody = { user: "nobody", uid: 65534, gid: 65534 };
  const inside = path.join(dir, "checkout", "node_modules");

  it("names the folder on the way that the server's user cannot enter", () => {
    mkdirSync(inside, { recursive: true });
    chmodSync(dir, 0o700);
    expect(() => requireTraversable(path.join(inside, "postgres"), nobody)).toThrow(`cannot enter ${dir} on the way`);
  });

  it("accepts a path every folder of which that user may pass through, and anything when it runs as us", () => {
    chmodSync(dir, 0o711);
    expect(() => requireTraversable(path.join(inside, "postgres"), nobody)).not.toThrow();
    chmodSync(dir, 0o700);
    expect(() => requireTraversable(path.join(inside, "postgres"), null)).not.toThrow();
  });
});

describe("rootHomeFor", () => {
  it("is one folder per checkout, the same on every run", () => {
    mkdirSync(path.join(dir, "a"), { recursive: true });
    mkdirSync(path.join(dir, "b"), { recursive: true });
    expect(rootHomeFor(path.join(dir, "a"))).toBe(rootHomeFor(path.join(dir, "a", ".")));
    expect(rootHomeFor(path.join(dir, "a"))).not.toBe(rootHomeFor(path.join(dir, "b")));
    expect(rootHomeFor(path.join(dir, "a"))).toMatch(/^\/var\/tmp\/maintenance-planner-[0-9a-f]{16}$/);
  });
});

describe.runIf(asRoot)("ensureRootOwnedFolder (as root)", () => {
  it("creates the folder 0755, and refuses one that someone else could have planted or may write to", () => {
    const home = path.join(dir, "home");
    ensureRootOwnedFolder(home);
    expect(statSync(home).mode & 0o777).toBe(0o755);

    chmodSync(home, 0o777);
    expect(() => ensureRootOwnedFolder(home)).toThrow(/owned by root that only root may write/);
    chmodSync(home, 0o755);
    chownSync(home, 65534, 65534);
    expect(() => ensureRootOwnedFolder(home)).toThrow(/owned by root/);
  });
});

describe("relocateBinaries", () => {
  it("copies a version once, keeps modes, and drops older versions", () => {
    const native = path.join(dir, "native");
    mkdirSync(path.join(native, "bin"), { recursive: true });
    writeFileSync(path.join(native, "bin", "postgres"), "#!/bin/sh\n", { mode: 0o755 });
    const home = path.join(dir, "relocated");
    mkdirSync(home);

    const v1 = relocateBinaries(native, "1.0.0", home);
    expect(statSync(path.join(v1, "bin", "postgres")).mode & 0o777).toBe(0o755);
    expect(relocateBinaries(native, "1.0.0", home)).toBe(v1);
    const v2 = relocateBinaries(native, "2.0.0", home);
    expect(existsSync(v1)).toBe(false);
    expect(readdirSync(home)).toEqual([path.basename(v2)]);
  });
});
