import type { FastifyRequest } from "fastify";

/** The URL of the next page: this request's path and query with `cursor` replaced (relative, proxy-safe). */
export function nextLink(request: FastifyRequest, cursor: string | null): string | null {
  if (!cursor) return null;
  const url = new URL(request.url, "http://placeholder");
  url.searchParams.set("cursor", cursor);
  return `${url.pathname}${url.search}`;
}
