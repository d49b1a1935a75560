// Authentication and authorisation for every /v1 route. Three onRequest steps, in this order:
//   1. authenticate: verify the bearer token, remember the principal (or why there is none);
//   2. the rate limit (src/http/security.ts), keyed by that principal, so bad tokens are limited per address;
//   3. authorise: 401 without a principal, 403 without the route's role, then load the caller's scope.
// All of it runs before the body is parsed: a stranger learns nothing from validation errors.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ANONYMOUS, hasRole, type Principal, type Role, type Scope } from "../../domain/access.js";
import type { Access, GroupDirectory } from "../../services/access.js";
import { DomainError } from "../../domain/errors.js";
import { problemsFor } from "../schemas/common.js";
import { principalFromClaims } from "./principal.js";
import { invalidToken, type TokenVerifier } from "./verify-token.js";

export type AuthSetup =
  | { mode: "none" }
  | {
      mode: "entra";
      verify: TokenVerifier;
      /** Where groups a token does not list are looked up (Microsoft Graph); null: nowhere (AUTH_GROUP_SOURCE=claim). */
      groups: GroupDirectory | null;
      /** Look groups up even when the token lists some (AUTH_GROUP_SOURCE=graph). */
      alwaysLookUpGroups: boolean;
    };

declare module "fastify" {
  interface FastifyRequest {
    /** Set for every /v1 request that got past authentication. */
    principal: Principal | null;
    /** When the bearer token expires (its `exp`); null without a token (AUTH_MODE=none). Long-lived answers end then. */
    tokenExpiresAt: Date | null;
    authError: DomainError | null;
    /** The caller's scope (null: unrestricted); loaded for routes with `config.scoped`. */
    scope: Scope;
  }
  interface FastifyContextConfig {
    /** The least role a caller needs; every /v1 route must name one. */
    role?: Role;
    /** Load the caller's scope assignments before the handler. */
    scoped?: boolean;
    /**
     * The route shows things across every scope (e.g. blackout selectors naming resource groups): like Admin
     * routes, it needs a principal without scope assignments.
     */
    unrestricted?: boolean;
  }
}

const REALM = 'Bearer realm="maintenance-planner"';
// JWS compact serialisation only; anything longer than any real Entra token is refused unread.
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

/**
 * Whether the request was routed to a /v1 route. Decided on the matched route's template, never on the raw URL:
 * the router decodes the path, so `/%761/bookings` reaches `/v1/bookings` while its raw URL does not start
 * with `/v1`.
 */
export const isApiRequest = (request: FastifyRequest) => (request.routeOptions.url ?? "").startsWith("/v1");

async function authenticate(setup: AuthSetup | undefined, request: FastifyRequest): Promise<{ principal: Principal; expiresAt: Date | null }> {
  if (setup?.mode === "none") return { principal: ANONYMOUS, expiresAt: null };
  if (!setup) throw new DomainError("unauthorized", "This service has no authentication configured; it refuses every request.");
  const header = request.headers.authorization;
  if (!header) throw new DomainError("unauthorized", "Send an Entra ID access token for this API as `Authorization: Bearer <token>`.");
  const match = header.length <= 16_384 ? BEARER.exec(header) : null;
  if (!match) throw invalidToken("The Authorization header must be `Bearer` followed by a JWT.");
  const claims = await setup.verify(match[1]);
  const principal = principalFromClaims(claims);
  if (!principal) throw invalidToken("The bearer token names no user (oid) or application (appid/azp).");
  return { principal, expiresAt: typeof claims.exp === "number" ? new Date(claims.exp * 1000) : null };
}

function challenge(reply: FastifyReply, error: DomainError, tokenSent: boolean) {
  // RFC 6750 §3: no error attribute when no token was sent; error_description must stay a quoted ASCII string.
  const description = error.message.replace(/[^\x20-\x7e]|["\\]/g, "");
  reply.header("www-authenticate", tokenSent ? `${REALM}, error="invalid_token", error_description="${description}"` : REALM);
}

export interface AuthOptions {
  setup: AuthSetup | undefined;
  access: Access;
}

/** Registers step 1 and returns step 3, which app.ts adds after the rate limit. */
export function registerAuthentication(app: FastifyInstance, { setup, access }: AuthOptions) {
  app.decorateRequest("principal", null);
  app.decorateRequest("tokenExpiresAt", null);
  app.decorateRequest("authError", null);
  app.decorateRequest("scope", null);
  if (!setup) app.log.error("no authentication configured: every /v1 request is refused (wire AppDeps.auth)");

  // Every /v1 route names its role (a route without one fails at start, not open in production) and documents
  // the answers of these steps.
  app.addHook("onRoute", (route) => {
    if (!route.url.startsWith("/v1")) return;
    if (!route.config?.role) throw new Error(`${route.method} ${route.url}: /v1 routes must set config.role`);
    const schema = (route.schema ??= {}) as Record<string, any>;
    schema.security = [{ bearerAuth: [] }];
    schema.response = { ...problemsFor(["unauthorized", "forbidden", "too-many-requests", "unavailable"]), ...schema.response };
  });

  app.addHook("onRequest", async (request) => {
    if (!isApiRequest(request)) return;
    try {
      ({ principal: request.principal, expiresAt: request.tokenExpiresAt } = await authenticate(setup, request));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      request.authError = error;
    }
  });

  return async function authorise(request: FastifyRequest, reply: FastifyReply) {
    if (!isApiRequest(request)) return;
    const principal = request.principal;
    if (!principal) {
      const error = request.authError ?? new DomainError("unauthorized", "Authentication required.");
      challenge(reply, error, Boolean(request.headers.authorization));
      throw error;
    }
    const { role, scoped, unrestricted } = request.routeOptions.config ?? {};
    if (role && !hasRole(principal, role)) {
      throw new DomainError("forbidden", `This operation needs the app role ${role} (or a higher one); the token carries ${principal.roles.join(", ") || "no Maintenance role"}.`, { requiredRole: role });
    }
    // Admin operations (assignments, the audit trail, syncs) see and change everything: they need an
    // unrestricted principal, or a scoped admin could read other scopes' audit or delete its own assignment.
    if (role === "Maintenance.Admin" || unrestricted) {
      if ((await access.scope(principal)) !== null) {
        if (role !== "Maintenance.Admin") throw new DomainError("forbidden", "This shows resources across every scope: it needs a principal without scope assignments.");
        throw new DomainError("forbidden", "Admin operations need an unrestricted principal; this one has scope assignments.", { requiredRole: role });
      }
    } else if (scoped) request.scope = await access.scope(principal);
  };
}
