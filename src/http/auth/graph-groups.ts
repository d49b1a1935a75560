// Group membership from Microsoft Graph, for tokens that do not list the caller's groups: transitive
// `getMemberGroups` of the user (or the application's service principal), asked with the service's own credential
// and cached per principal for AUTH_GROUP_CACHE_TTL. Needs the application permission GroupMember.Read.All with
// User.Read.All (users) and Application.Read.All (service principals), or Directory.Read.All; see README, Security.
// https://learn.microsoft.com/graph/api/directoryobject-getmembergroups
import type { TokenCredential } from "@azure/identity";
import type { Principal } from "../../domain/access.js";
import { GroupLookupError, type GroupDirectory } from "../../services/access.js";

export interface GraphGroupsOptions {
  /** e.g. https://graph.microsoft.com (AUTH_GRAPH_URL). */
  url: string;
  credential: TokenCredential;
  cacheTtlMs: number;
  timeoutMs?: number;
  /** Most principals kept; the oldest entry goes first. */
  maxEntries?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function graphError(res: Response): Promise<string> {
  const body = (await res.json().catch(() => null)) as { error?: { code?: unknown } } | null;
  const code = typeof body?.error?.code === "string" ? ` ${body.error.code.slice(0, 64)}` : "";
  return `Microsoft Graph answered ${res.status}${code}`;
}

export function createGraphGroupDirectory(opts: GraphGroupsOptions): GroupDirectory {
  const scope = `${new URL(opts.url).origin}/.default`;
  const cache = new Map<string, { groups: string[]; until: number }>();
  const inFlight = new Map<string, Promise<string[]>>();

  async function lookUp(collection: "users" | "servicePrincipals", objectId: string): Promise<string[]> {
    let token: string | undefined;
    try {
      token = (await opts.credential.getToken(scope))?.token;
    } catch (error) {
      throw new GroupLookupError("the service could not get a token for Microsoft Graph", { cause: error });
    }
    if (!token) throw new GroupLookupError("the service could not get a token for Microsoft Graph");
    let res: Response;
    try {
      res = await fetch(`${opts.url}/v1.0/${collection}/${objectId}/getMemberGroups`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        // false: every group, not only security groups — an assignment may name any group.
        body: JSON.stringify({ securityEnabledOnly: false }),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
      });
    } catch (error) {
      throw new GroupLookupError("Microsoft Graph did not answer", { cause: error });
    }
    if (!res.ok) throw new GroupLookupError(await graphError(res));
    const body = (await res.json().catch(() => null)) as { value?: unknown } | null;
    if (!Array.isArray(body?.value) || !body.value.every((g) => typeof g === "string")) throw new GroupLookupError("Microsoft Graph sent an unexpected answer");
    return (body.value as string[]).map((g) => g.toLowerCase());
  }

  return {
    async memberGroups(principal: Principal) {
      const objectId = principal.objectId;
      if (!objectId || !UUID.test(objectId)) throw new GroupLookupError("the token carries no object id (oid) to look up");
      const collection = principal.kind === "app" ? "servicePrincipals" : "users";
      const key = `${collection}/${objectId}`;
      const hit = cache.get(key);
      if (hit && hit.until > Date.now()) return hit.groups;
      // Concurrent requests of one principal share one lookup.
      let pending = inFlight.get(key);
      if (!pending) {
        pending = lookUp(collection, objectId).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      const groups = await pending;
      cache.delete(key);
      if (cache.size >= (opts.maxEntries ?? 10_000)) cache.delete(cache.keys().next().value!);
      cache.set(key, { groups, until: Date.now() + opts.cacheTtlMs });
      return groups;
    },
  };
}
