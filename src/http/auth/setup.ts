// Config → AuthSetup, for main.ts: `buildApp({ ..., auth: authSetup(config, log) }, ...)`.
import type { TokenCredential } from "@azure/identity";
import type { Config, GroupsConfig } from "../../config/config.js";
import type { GroupDirectory } from "../../services/access.js";
import { createGraphGroupDirectory } from "./graph-groups.js";
import type { AuthSetup } from "./plugin.js";
import { createTokenVerifier, type VerifierOptions } from "./verify-token.js";

/** The service's own identity for Graph: a static token for test doubles (AUTH_GRAPH_TOKEN), else DefaultAzureCredential. */
function graphCredential(groups: GroupsConfig): TokenCredential {
  const { graphToken } = groups;
  if (graphToken) return { getToken: async () => ({ token: graphToken, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  let credential: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes, options) {
      credential ??= import("@azure/identity").then(({ DefaultAzureCredential }) => new DefaultAzureCredential());
      return (await credential).getToken(scopes, options);
    },
  };
}

function groupDirectory(groups: GroupsConfig): GroupDirectory | null {
  if (groups.source === "claim") return null;
  return createGraphGroupDirectory({ url: groups.graphUrl, credential: graphCredential(groups), cacheTtlMs: groups.cacheTtlMs });
}

export function authSetup(config: Pick<Config, "authMode" | "entra">, log?: { warn(msg: string): void }, options?: VerifierOptions): AuthSetup {
  if (config.authMode === "none" || !config.entra) {
    log?.warn("AUTH_MODE=none: the API accepts every caller without a token, as `anonymous` with every role. For local use only.");
    return { mode: "none" };
  }
  const { groups } = config.entra;
  return { mode: "entra", verify: createTokenVerifier(config.entra, options), groups: groupDirectory(groups), alwaysLookUpGroups: groups.source === "graph" };
}
