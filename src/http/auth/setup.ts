// Config → AuthSetup, for main.ts: `buildApp({ ..., auth: authSetup(config, log) }, ...)`.
import type { Config } from "../../config/config.js";
import type { AuthSetup } from "./plugin.js";
import { createTokenVerifier, type VerifierOptions } from "./verify-token.js";

export function authSetup(config: Pick<Config, "authMode" | "entra">, log?: { warn(msg: string): void }, options?: VerifierOptions): AuthSetup {
  if (config.authMode === "none" || !config.entra) {
    log?.warn("AUTH_MODE=none: the API accepts every caller without a token, as `anonymous` with every role. For local use only.");
    return { mode: "none" };
  }
  return { mode: "entra", verify: createTokenVerifier(config.entra, options) };
}
