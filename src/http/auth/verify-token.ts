// Verifies Entra ID access tokens: RS256 signature against the tenant's JWKS, issuer, audience, expiry and
// not-before with a small clock skew. jose's remote key set caches the keys and refetches them when a token
// names an unknown `kid` (Entra rotates keys), at most once per cooldown so forged kids cannot flood Entra.
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { EntraAuthConfig } from "../../config/config.js";
import { DomainError } from "../../domain/errors.js";
import type { Claims } from "./principal.js";

export type TokenVerifier = (token: string) => Promise<Claims>;

export interface VerifierOptions {
  /** Minimum time between JWKS refetches for unknown kids (jose's default 30 s; tests shorten it). */
  jwksCooldownMs?: number;
}

/** The key service could not be reached or answered nonsense: we cannot tell good tokens from bad (503). */
export class KeySetUnavailableError extends Error {
  readonly statusCode = 503;
  constructor(cause: unknown) {
    super("The token signing keys could not be fetched", { cause });
    this.name = "KeySetUnavailableError";
  }
}

const UNAVAILABLE = new Set(["ERR_JWKS_TIMEOUT", "ERR_JWKS_INVALID", "ERR_JOSE_GENERIC"]);

function reason(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTExpired) return "The bearer token has expired.";
  if (error instanceof errors.JWTClaimValidationFailed) return `The bearer token's ${error.claim} claim is not acceptable (${error.reason}).`;
  if (error instanceof errors.JOSEAlgNotAllowed) return "The bearer token must be signed with RS256.";
  if (error instanceof errors.JWKSNoMatchingKey) return "The bearer token was signed with an unknown key.";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "The bearer token's signature is not valid.";
  return "The bearer token is not a valid JWT.";
}

/** 401 `unauthorized` for any token that is not a valid Entra access token for this API. */
export function invalidToken(detail: string): DomainError {
  return new DomainError("unauthorized", detail);
}

export function createTokenVerifier(config: EntraAuthConfig, options: VerifierOptions = {}, keys?: JWTVerifyGetKey): TokenVerifier {
  const keySet = keys ?? createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: options.jwksCooldownMs, timeoutDuration: 5_000 });
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keySet, {
        algorithms: ["RS256"],
        issuer: config.issuers,
        audience: config.audiences,
        clockTolerance: config.clockSkewSeconds,
        requiredClaims: ["exp", "iss", "aud"],
      });
      return payload as Claims;
    } catch (error) {
      if (!(error instanceof errors.JOSEError) || UNAVAILABLE.has(error.code)) throw new KeySetUnavailableError(error);
      throw invalidToken(reason(error));
    }
  };
}
