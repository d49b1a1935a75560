// Conditional GET for what a page polls (the lists, a VM's detail): a weak ETag that is a hash of the body, and
// 304 Not Modified when the request's If-None-Match names it (RFC 9110 §13.1.2, weak comparison). The query still
// runs, but an unchanged answer costs neither the network nor the client a parse and a re-render.
// A route opts in with `config: { conditionalGet: true }`; this plugin documents the header and the 304.
import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Answer with a body-hash ETag, and 304 when If-None-Match matches it. GET routes only. */
    conditionalGet?: boolean;
  }
}

const IF_NONE_MATCH = Type.Object({
  "if-none-match": Type.Optional(Type.String({ maxLength: 4096, description: "An ETag from an earlier answer: 304 with no body when the answer has not changed since.", examples: ['W/"kx3ZwQ1d1m0WcX0o6nWkqW9tGx8"'] })),
});

/** The opaque tags of an If-None-Match value, without `W/`. */
function tags(header: string): string[] {
  return header.split(",").map((t) => t.trim().replace(/^W\//, "")).filter(Boolean);
}

export function etagOf(body: string): string {
  return `W/"${createHash("sha1").update(body).digest("base64url")}"`;
}

export function registerConditionalGet(app: FastifyInstance): void {
  // Fastify adds a HEAD route for each GET, with the same schema object: document each schema once.
  const documented = new WeakSet<object>();
  app.addHook("onRoute", (route) => {
    if (!route.config?.conditionalGet) return;
    const schema = (route.schema ??= {}) as Record<string, any>;
    if (documented.has(schema)) return;
    documented.add(schema);
    schema.headers = schema.headers ? Type.Intersect([schema.headers, IF_NONE_MATCH]) : IF_NONE_MATCH;
    const ok = schema.response?.[200];
    if (!ok) throw new Error(`${route.url}: conditionalGet needs a 200 response schema`);
    schema.response[200] = {
      description: ok.description ?? "OK",
      headers: { etag: { type: "string", description: "Weak ETag of this answer; send it as If-None-Match to get 304 while nothing changed.", examples: ['W/"kx3ZwQ1d1m0WcX0o6nWkqW9tGx8"'] } },
      content: { "application/json": { schema: ok } },
    };
    schema.response[304] = { description: "Not modified: the answer is still the one If-None-Match names. No body.", type: "null" };
  });

  app.addHook("onSend", async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!request.routeOptions.config?.conditionalGet || reply.statusCode !== 200 || typeof payload !== "string") return payload;
    const etag = etagOf(payload);
    reply.header("etag", etag);
    const condition = request.headers["if-none-match"];
    if (condition && (condition.trim() === "*" || tags(condition).includes(etag.slice(2)))) {
      reply.code(304);
      reply.removeHeader("content-type");
      return "";
    }
    return payload;
  });
}
