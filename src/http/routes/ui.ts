// The portal page (web/, built by Vite into dist/web) on the API's own origin, and the configuration it reads
// before signing in. Not part of the API description. The page gets its own Content-Security-Policy: its own
// scripts and styles, calls to this origin and, with Entra sign-in, to the sign-in authority; the API's
// responses keep `default-src 'none'` (src/http/security.ts).
import { existsSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import type { UiConfig } from "../../config/config.js";
import { packageRoot } from "../../db/migration-files.js";
import { DomainError } from "../../domain/errors.js";

export const DEFAULT_PAGE_ROOT = path.join(packageRoot(), "dist", "web");

/** What GET /ui-config.json answers: public values only. */
export interface UiConfigDocument extends UiConfig {
  authMode: "none" | "entra";
}

export function pageCsp(ui: UiConfig): string {
  const signIn = ui.authority ? new URL(ui.authority).origin : null;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    // MSAL reads the authority's metadata and redeems codes with fetch, and renews tokens in a hidden iframe.
    `connect-src 'self'${signIn ? ` ${signIn}` : ""}`,
    ...(signIn ? [`frame-src ${signIn}`] : []),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export const uiRoutes: FastifyPluginAsync<{ config: UiConfigDocument; root?: string }> = async (app, { config, root = DEFAULT_PAGE_ROOT }) => {
  const csp = pageCsp(config);
  app.get("/ui-config.json", { schema: { hide: true } }, async (_request, reply) => reply.header("cache-control", "no-cache").send(config));

  const built = existsSync(path.join(root, "index.html"));
  // reply.sendFile for the two pages (no-cache, set below: a new build must be picked up at once).
  await app.register(fastifyStatic, { root: built ? root : packageRoot(), serve: false, cacheControl: false });
  // Hashed file names: a new build has new names, so these may be cached for good.
  if (built && existsSync(path.join(root, "assets"))) {
    await app.register(fastifyStatic, { root: path.join(root, "assets"), prefix: "/assets/", decorateReply: false, immutable: true, maxAge: "365d", dotfiles: "deny", index: false });
  }
  const page = (file: string) => async (_request: unknown, reply: FastifyReply) => {
    if (!built) throw new DomainError("not-found", "The page is not built: run `npm run build:web` (npm start builds it when needed).");
    // MSAL's redirect bridge must not be served with Cross-Origin-Opener-Policy: it would cut the bridge off
    // from the page that started the sign-in.
    if (file === "auth-redirect.html") reply.raw.removeHeader("cross-origin-opener-policy");
    return reply.header("content-security-policy", csp).header("cache-control", "no-cache").sendFile(file);
  };
  app.get("/", { schema: { hide: true } }, page("index.html"));
  app.get("/auth-redirect.html", { schema: { hide: true } }, page("auth-redirect.html"));
};
