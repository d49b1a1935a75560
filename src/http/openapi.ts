// The API description. Routes' schemas generate it (@fastify/swagger); the committed openapi.yaml is that
// output, served as the contract, and test/integration/openapi-contract.test.ts fails when the two disagree.
// Regenerate the file with `npm run openapi`.
import { readFile } from "node:fs/promises";
import path from "node:path";
import swagger, { type SwaggerOptions } from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { packageRoot } from "../db/migration-files.js";
import { problemCatalogue } from "./problem.js";
import { openApiWebhooks } from "./schemas/events.js";

export const OPENAPI_FILE = path.join(packageRoot(), "openapi.yaml");

/** A route schema member that says "no body at all is fine" (see markOptionalBodies). */
export const OPTIONAL_BODY = "x-optional-body";

type OpenApiWebhooks = NonNullable<Extract<NonNullable<Extract<SwaggerOptions, { openapi?: unknown }>["openapi"]>, { webhooks?: unknown }>["webhooks"]>;

type OpenApiDocument = { paths?: Record<string, Record<string, { requestBody?: { required?: boolean }; [OPTIONAL_BODY]?: boolean }>> };

/** @fastify/swagger marks every declared body required; routes that fill in an absent body say so with OPTIONAL_BODY. */
function markOptionalBodies(doc: OpenApiDocument): OpenApiDocument {
  for (const operation of Object.values(doc.paths ?? {}).flatMap((p) => Object.values(p))) {
    if (!operation?.[OPTIONAL_BODY]) continue;
    if (operation.requestBody) operation.requestBody.required = false;
    delete operation[OPTIONAL_BODY];
  }
  return doc;
}

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Maintenance Planner",
        version: "1.0.0",
        description:
          "Plans Azure VM self-service maintenance: syncs maintenance windows, takes bookings, performs maintenance at the booked time.\n\n" +
          "Errors are RFC 9457 `application/problem+json` documents whose `code` is the last segment of `type` (`/problems/{code}`).\n\n" +
          "## Problem catalogue\n\n| code | status | title |\n| --- | --- | --- |\n" +
          problemCatalogue().map((p) => `| \`${p.code}\` | ${p.status} | ${p.title} |`).join("\n"),
      },
      tags: [
        { name: "virtual-machines", description: "VMs and scale-set instances with their maintenance windows" },
        { name: "sync-runs", description: "Syncs of maintenance windows from Azure" },
        { name: "bookings", description: "Times at which to start a VM's self-service maintenance" },
        { name: "security", description: "Scope assignments and the audit trail (Maintenance.Admin)" },
        { name: "planner", description: "Maintenance groups (how many at once, error budgets, order) and the plan preview; update domains are sequenced without configuration" },
        { name: "calendars", description: "Maintenance windows and blackouts in the teams' own time zones" },
        { name: "calendar-feeds", description: "Secret iCalendar feed URLs of bookings and maintenance windows, for Outlook, Google Calendar and other calendar clients" },
        { name: "webhooks", description: "Events as signed webhooks (CloudEvents, Standard Webhooks signatures); the payloads are under `webhooks`" },
        { name: "operations", description: "Health and readiness" },
      ],
      // Built as plain JSON Schema from the same source as GET /v1/event-types; the swagger types cannot follow it.
      webhooks: openApiWebhooks() as unknown as OpenApiWebhooks,
      components: {
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "JWT",
            description:
              "A Microsoft Entra ID access token for this API (audience AUTH_AUDIENCE), user (delegated) or application (client credentials). " +
              "App roles in `roles`: `Maintenance.Read` (read VMs, bookings, sync runs), `Maintenance.Book` (also create, move and cancel bookings), " +
              "`Maintenance.Admin` (also start syncs, manage scope assignments, read the audit trail). Without a valid token: 401 with `WWW-Authenticate: Bearer`; " +
              "without the role: 403. Scope assignments narrow a principal to subscriptions or resource groups. Requests are limited per caller (429 with `Retry-After`).",
          },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transformObject: (documentObject) => markOptionalBodies((documentObject as { openapiObject: OpenApiDocument }).openapiObject),
  });
  // swagger-ui's own CSP (hashes of its inline code) replaces the API's `default-src 'none'` on /docs; without
  // upgrade-insecure-requests, which would break the page on plain-http laptops.
  await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true, transformStaticCSP: (csp) => csp.replace(/\s*upgrade-insecure-requests;?/, "") });

  const yaml = await readFile(OPENAPI_FILE, "utf8").catch(() => null);
  app.get("/openapi.yaml", { schema: { hide: true } }, async (_request, reply) => {
    if (yaml === null) return reply.code(404).type("text/plain").send("openapi.yaml is missing from this build");
    return reply.type("application/yaml").send(yaml);
  });
}
