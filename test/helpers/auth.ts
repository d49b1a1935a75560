// A stand-in for Microsoft Entra ID: an RS256 key pair made here, its JWKS served on 127.0.0.1, and tokens
// signed with it that look like Entra's (user/delegated and application/client-credentials).
import { createServer, type Server } from "node:http";
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
  /** The app's AuthSetup, built through loadConfig as main.ts does. */
  setup(): AuthSetup;
  close(): Promise<void>;
}

export async function startTestIdentityProvider(): Promise<TestIdentityProvider> {
  const keys = [await newKey("key-1")];
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    fetches++;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/discovery/v2.0/keys`;
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
    setup: () =>
      authSetup(loadConfig({ AUTH_MODE: "entra", AUTH_TENANT_ID: TENANT, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_URL: jwksUrl }), undefined, { jwksCooldownMs: 0 }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
