import { createHash, timingSafeEqual } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { DomainError } from "../../domain/errors.js";
import type { Metrics } from "../../observability/metrics.js";
import { problemsFor } from "../schemas/common.js";

export interface MetricsRouteOptions {
  metrics: Metrics;
  /** METRICS_BEARER_TOKEN: scrapes must send `Authorization: Bearer <token>`; null: open. */
  bearerToken: string | null;
}

/**
 * Scrapes take turns, at most one every SCRAPE_SPACING_MS per process, whoever sends them. Prometheus scrapes every
 * few seconds and never notices; a flood (50 clients scraping back to back) waits for its turns — waiting costs
 * nothing — instead of taking the event loop from the API (bench/metrics.ts). More than MAX_WAITING: 429.
 */
export const SCRAPE_SPACING_MS = 50;
const MAX_WAITING = 64;

function scrapeTurns() {
  let nextTurn = 0;
  let waiting = 0;
  /** Resolves at the caller's turn; false when too many wait already. */
  return async function turn(): Promise<boolean> {
    if (waiting >= MAX_WAITING) return false;
    const now = Date.now();
    const at = Math.max(now, nextTurn);
    nextTurn = at + SCRAPE_SPACING_MS;
    if (at === now) return true;
    waiting++;
    try {
      await sleep(at - now);
    } finally {
      waiting--;
    }
    return true;
  };
}

// Compared as digests: equal length, so the comparison takes the same time whatever was sent.
const digest = (s: string) => createHash("sha256").update(s).digest();

export const metricsRoutes: FastifyPluginAsyncTypebox<MetricsRouteOptions> = async (app, { metrics, bearerToken }) => {
  const expected = bearerToken === null ? null : digest(`Bearer ${bearerToken}`);
  const turn = scrapeTurns();
  app.get("/metrics", {
    schema: {
      operationId: "metrics",
      tags: ["operations"],
      summary: "Prometheus metrics (text exposition format)",
      description:
        "Open, unless METRICS_BEARER_TOKEN is set (then `Authorization: Bearer <token>`, else 401). Served on METRICS_PORT instead when that is set. " +
        `Scrapes take turns, one every ${SCRAPE_SPACING_MS} ms per process (429 when ${MAX_WAITING} wait already).`,
      response: { 200: { description: "Metrics.", content: { "text/plain": { schema: { type: "string" } } } }, ...problemsFor(["unauthorized", "too-many-requests"]) },
    },
  }, async (request, reply) => {
    if (!(await turn())) {
      reply.header("retry-after", "1");
      throw Object.assign(new Error(`More than ${MAX_WAITING} scrapes are waiting for their turn; retry after 1 second.`), { statusCode: 429 });
    }
    if (expected && !timingSafeEqual(digest(request.headers.authorization ?? ""), expected)) {
      reply.header("www-authenticate", 'Bearer realm="maintenance-planner-metrics"');
      throw new DomainError("unauthorized", "Send the metrics token (METRICS_BEARER_TOKEN) as `Authorization: Bearer <token>`.");
    }
    // Memory only: the database-derived gauges are refreshed on their own schedule (src/observability/state-gauges.ts).
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};
