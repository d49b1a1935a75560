// The API description. Routes' schemas generate it (@fastify/swagger); the committed openapi.yaml is that
// output, served as the contract, and test/integration/openapi-contract.test.ts fails when the two disagree.
// Regenerate the file with `npm run openapi`.
import { readFile } from "node:fs/promises";
import path from "node:path";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { packageRoot } from "../db/migration-files.js";

export const OPENAPI_FILE = path.join(packageRoot(), "openapi.yaml");

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Maintenance Planner",
        version: "1.0.0",
        description:
          "Plans Azure VM self-service maintenance: syncs maintenance windows, takes bookings, performs maintenance at the booked time.\n\n" +
          "Errors are RFC 9457 `application/problem+json` documents whose `code` is the last segment of `type` (`/problems/{code}`).",
      },
      tags: [
        { name: "virtual-machines", description: "VMs and scale-set instances with their maintenance windows" },
        { name: "sync-runs", description: "Syncs of maintenance windows from Azure" },
        { name: "operations", description: "Health and readiness" },
      ],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  const yaml = await readFile(OPENAPI_FILE, "utf8").catch(() => null);
  app.get("/openapi.yaml", { schema: { hide: true } }, async (_request, reply) => {
    if (yaml === null) return reply.code(404).type("text/plain").send("openapi.yaml is missing from this build");
    return reply.type("application/yaml").send(yaml);
  });
}
