// Laptop mode as root: the embedded PostgreSQL runs as user "postgres", which must be able to reach the checkout.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireTraversableByOthers } from "../../src/bootstrap/embedded-postgres.js";

describe("requireTraversableByOthers", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mp-private-")); // 0700, like a `mktemp -d` checkout
  const checkout = path.join(dir, "checkout");
  mkdirSync(checkout);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names the private folder on the way and how to get past it", () => {
    chmodSync(dir, 0o700);
    expect(() => requireTraversableByOthers(checkout)).toThrow(`cannot enter ${dir}`);
    expect(() => requireTraversableByOthers(checkout)).toThrow(/DATABASE_URL/);
  });

  it("accepts a path every folder of which others may traverse", () => {
    chmodSync(dir, 0o711);
    expect(() => requireTraversableByOthers(checkout)).not.toThrow();
  });
});
