// Bookings have one writer (src/services/booking-transitions.ts): this keeps it so as the code grows. It reads the
// sources as text — a new `UPDATE bookings` anywhere else, or a lease statement that touches `state`, fails here.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../../src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : sources(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

const rel = (file: string) => path.relative(SRC, file).split(path.sep).join("/");

describe("one writer of bookings", () => {
  const files = sources(SRC).map((file) => ({ file: rel(file), text: readFileSync(file, "utf8") }));

  it("only the writer's statements and the lease statements write the bookings table", () => {
    const writers = files.filter((f) => /\b(UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+bookings\b/i.test(f.text)).map((f) => f.file);
    expect(writers.sort()).toEqual(["db/booking-writes-repo.ts", "db/leases-repo.ts"]);
  });

  it("lease statements never change a booking's state", () => {
    const leases = files.find((f) => f.file === "db/leases-repo.ts")!.text;
    // An assignment `SET state = …` or `…, state = …`; comparisons in WHERE and CASE are fine.
    expect(leases).not.toMatch(/(\bSET|,)\s*state\s*=/i);
    expect(files.find((f) => f.file === "db/booking-writes-repo.ts")!.text).toMatch(/(\bSET|,)\s*state\s*=/i); // the check can fail
  });

  it("only the writer uses the writer's statements", () => {
    const users = files.filter((f) => f.text.includes("/booking-writes-repo.js\"") && !/import type/.test(f.text.split("\n").find((l) => l.includes("booking-writes-repo.js")) ?? ""));
    expect(users.map((f) => f.file)).toEqual(["services/booking-transitions.ts"]);
  });
});
