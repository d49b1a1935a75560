// Generates src/generated/openapi.ts (types only) from the repository's openapi.yaml. Build output, never
// committed: it runs at install (the root postinstall) and after `npm run openapi`, and a test fails when the file
// and openapi.yaml disagree (test/client/generated-types.test.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = path.dirname(fileURLToPath(import.meta.url));
export const OPENAPI_FILE = path.resolve(here, "../../../openapi.yaml");
export const GENERATED_FILE = path.resolve(here, "../src/generated/openapi.ts");

const HEADER = "// Generated from openapi.yaml by packages/client/scripts/generate-types.ts. Do not edit; not committed.\n";

/** The generated module's text for an OpenAPI document (a file URL, or the document itself as text). */
export async function generateTypes(source: URL | string = pathToFileURL(OPENAPI_FILE)): Promise<string> {
  const ast = await openapiTS(source, { alphabetize: false, exportType: false });
  return HEADER + astToString(ast);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync(path.dirname(GENERATED_FILE), { recursive: true });
  writeFileSync(GENERATED_FILE, await generateTypes());
}
