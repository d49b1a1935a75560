// `npm run openapi`: writes openapi.yaml from the routes' schemas. Building the app touches no database or
// Azure, so it runs anywhere; the contract test fails until the committed file matches.
import { writeFile } from "node:fs/promises";
import { buildApp, type AppDeps } from "../app.js";
import { OPENAPI_FILE } from "./openapi.js";

export async function generateOpenApi(): Promise<string> {
  const app = await buildApp({} as AppDeps);
  await app.ready();
  const yaml = app.swagger({ yaml: true });
  await app.close();
  return yaml;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(OPENAPI_FILE, await generateOpenApi());
  console.log(`wrote ${OPENAPI_FILE}`);
}
