// A stand-in for Microsoft Entra ID: an RS256 key pair made here, its JWKS served on 127.0.0.1, and tokens
// signed with it that look like Entra's (user/delegated and application/client-credentials); and for Microsoft
// Graph's transitive `getMemberGroups` of users and service principals, answering from a membership table.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK } from "jose";
import { loadConfig } from "../../src/config/config.js";
import { authSetup } from "../../src/http/auth/setup.js";
import type { AuthSetup } from "../../src/http/auth/plugin.js";

export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const AUDIENCE = "api://maintenance-planner";
export const ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
export const READER = ["Maintenance.Read"];
export const BOOKER = ["Maintenance.Book"];
export const ADMIN = ["Maintenance.Admin"];

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicPem: string;
}

async function newKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }, publicPem: await exportSPKI(publicKey) };
}

export interface SignOptions {
  kid?: string;
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative: already expired. */
  expiresIn?: number;
  /** Seconds from now. */
  notBefore?: number;
  /** Sign with a key the JWKS does not publish. */
  key?: SigningKey;
}

/** The bearer token the Graph double accepts (AUTH_GRAPH_TOKEN). */
export const GRAPH_TOKEN = "graph-test-token";

export interface GraphDouble {
  /** The groups `getMemberGroups` returns for an object id (default: none). */
  setGroups(objectId: string, groups: string[]): void;
  /** Answer every lookup with this status (e.g. 403 without permission, 503), or normally again with null. */
  fail(status: number | null): void;
  /** The lookups made so far: which collection (`users` / `servicePrincipals`) and object id. */
  calls(): { collection: string; objectId: string }[];
}

export interface TestIdentityProvider {
  jwksUrl: string;
  /** How many times the JWKS was fetched. */
  fetches(): number;
  sign(claims: Record<string, unknown>, opts?: SignOptions): Promise<string>;
  user(roles: string[], extra?: Record<string, unknown>): Promise<string>;
  app(roles: string[], extra?: Record<string, unknown>): Promise<string>;
  /** The published key (for forging tokens with it). */
  current(): SigningKey;
  /** A key pair that is not published. */
  stranger(): Promise<SigningKey>;
  /** Publishes a new key next to the old one (as Entra does before it switches). */
  rotate(): Promise<SigningKey>;
  /** Microsoft Graph, as far as group membership goes. */
  graph: GraphDouble;
  /** The app's AuthSetup, built through loadConfig as main.ts does (Graph: this double; `env` adds or overrides). */
  setup(env?: Record<string, string>): AuthSetup;
  close(): Promise<void>;
}

export async function startTestIdentityProvider(): Promise<TestIdentityProvider> {
  const keys = [await newKey("key-1")];
  let fetches = 0;
  const memberships = new Map<string, string[]>();
  const graphCalls: { collection: string; objectId: string }[] = [];
  let graphFailure: number | null = null;
  const graph = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const m = /^\/v1\.0\/(users|servicePrincipals)\/([^/]+)\/getMemberGroups$/.exec(req.url ?? "");
    const json = (status: number, value: object) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    if (req.method !== "POST" || !m) return json(404, { error: { code: "Request_ResourceNotFound", message: "no such route" } });
    if (req.headers.authorization !== `Bearer ${GRAPH_TOKEN}`) return json(401, { error: { code: "InvalidAuthenticationToken", message: "bad token" } });
    // Transitive membership of all groups, as the service must ask for.
    if (JSON.parse(body || "{}").securityEnabledOnly !== false) return json(400, { error: { code: "Request_BadRequest", message: "securityEnabledOnly must be false" } });
    graphCalls.push({ collection: m[1], objectId: decodeURIComponent(m[2]) });
    if (graphFailure !== null) return json(graphFailure, { error: { code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." } });
    json(200, { "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)", value: memberships.get(decodeURIComponent(m[2]).toLowerCase()) ?? [] });
  };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if ((req.url ?? "").startsWith("/v1.0/")) return graph(req, res, body);
      fetches++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const jwksUrl = `${origin}/discovery/v2.0/keys`;
  const now = () => Math.floor(Date.now() / 1000);

  const sign = async (claims: Record<string, unknown>, o: SignOptions = {}) => {
    const key = o.key ?? keys.find((k) => k.kid === (o.kid ?? keys[keys.length - 1].kid)) ?? keys[0];
    return new SignJWT({ tid: TENANT, ver: "2.0", ...claims })
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: o.kid ?? key.kid })
      .setIssuer(o.issuer ?? ISSUER)
      .setAudience(o.audience ?? AUDIENCE)
      .setIssuedAt(now() - 60)
      .setNotBefore(now() + (o.notBefore ?? -60))
      .setExpirationTime(now() + (o.expiresIn ?? 3600))
      .sign(key.privateKey);
  };
  return {
    jwksUrl,
    fetches: () => fetches,
    sign,
    user: (roles, extra = {}) =>
      sign({ oid: "0a1b2c3d-0000-4000-8000-000000000001", preferred_username: "alice@contoso.com", scp: "access_as_user", azp: "11111111-2222-4333-8444-555555555555", roles, ...extra }),
    app: (roles, extra = {}) =>
      sign({ oid: "0a1b2c3d-0000-4000-8000-0000000000a9", azp: "9a8b7c6d-0000-4000-8000-00000000a991", idtyp: "app", roles, ...extra }),
    current: () => keys[keys.length - 1],
    stranger: () => newKey("not-published"),
    async rotate() {
      keys.push(await newKey(`key-${keys.length + 1}`));
      return keys[keys.length - 1];
    },
    graph: {
      setGroups: (objectId, groups) => memberships.set(objectId.toLowerCase(), groups),
      fail: (status) => (graphFailure = status),
      calls: () => [...graphCalls],
    },
    setup: (env = {}) =>
      authSetup(
        loadConfig({ AUTH_MODE: "entra", AUTH_TENANT_ID: TENANT, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_URL: jwksUrl, AUTH_GRAPH_URL: origin, AUTH_GRAPH_TOKEN: GRAPH_TOKEN, ...env }),
        undefined,
        { jwksCooldownMs: 0 },
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
