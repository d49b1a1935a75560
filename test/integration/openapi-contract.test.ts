import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Validator } from "@seriousme/openapi-schema-validator";
import { OPENAPI_FILE } from "../../src/http/openapi.js";
import { generateOpenApi } from "../../src/http/write-openapi.js";

describe("openapi.yaml", () => {
  it("is what the implemented routes generate (run `npm run openapi` after changing a route)", async () => {
    const committed = parse(await readFile(OPENAPI_FILE, "utf8"));
    const generated = parse(await generateOpenApi());
    expect(generated).toEqual(committed);
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(parse(await readFile(OPENAPI_FILE, "utf8")));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });
});
