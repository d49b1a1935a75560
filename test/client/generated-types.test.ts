// The client's types are generated from openapi.yaml at install (never committed). If the file on disk and the
// contract disagree — openapi.yaml changed without `npm run openapi` / `npm ci` regenerating them — this fails.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { GENERATED_FILE, OPENAPI_FILE, generateTypes } from "../../packages/client/scripts/generate-types.js";

describe("the client's generated types", () => {
  it("are exactly what openapi.yaml generates", async () => {
    const onDisk = readFileSync(GENERATED_FILE, "utf8");
    expect(onDisk === (await generateTypes(pathToFileURL(OPENAPI_FILE))), "run `npm run client:generate`").toBe(true);
  }, 30_000);

  it("would differ from a contract with one route fewer (the comparison can fail)", async () => {
    const doc = YAML.parse(readFileSync(OPENAPI_FILE, "utf8"));
    delete doc.paths["/v1/bookings/{id}/cancel"];
    const other = await generateTypes(YAML.stringify(doc));
    expect(other).not.toBe(readFileSync(GENERATED_FILE, "utf8"));
    expect(other).not.toContain('"/v1/bookings/{id}/cancel"');
  }, 30_000);
});
