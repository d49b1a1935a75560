// Webhook secrets and signatures (Standard Webhooks, https://www.standardwebhooks.com): a secret is `whsec_` +
// base64 of random bytes; a signature is `v1,` + base64 HMAC-SHA256 of `${webhook-id}.${webhook-timestamp}.${body}`
// keyed with the decoded bytes. At rest a secret is sealed with AES-256-GCM under WEBHOOK_SECRET_KEY, bound to its
// subscription's id, so a database dump alone cannot sign and a sealed secret cannot be moved to another row.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

const PREFIX = "whsec_";
const SEALED = "v1";

export function newWebhookSecret(): string {
  return PREFIX + randomBytes(32).toString("base64");
}

/** The 32-byte key from WEBHOOK_SECRET_KEY (base64), or null when it is not one. */
export function parseSecretKey(base64: string): Buffer | null {
  const key = Buffer.from(base64, "base64");
  return key.length === 32 && key.toString("base64") === base64.replace(/\s/g, "") ? key : null;
}

export function sealSecret(key: Buffer, secret: string, subscriptionId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(Buffer.from(subscriptionId));
  const ciphertext = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return [SEALED, iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === "string" ? p : p.toString("base64"))).join(".");
}

/** Throws when the key is not the one that sealed it, or the row was tampered with. */
export function openSecret(key: Buffer, sealed: string, subscriptionId: string): string {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== SEALED || !iv || !tag || ciphertext === undefined) throw new Error("not a sealed webhook secret");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64")).setAAD(Buffer.from(subscriptionId));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64")), decipher.final()]).toString("utf8");
}

/** The `webhook-signature` header: one `v1,<sig>` per secret, space-separated (during a rotation, two). */
export function signatureHeader(secrets: readonly string[], id: string, timestampSeconds: number, body: string): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, "base64");
      return `v1,${createHmac("sha256", key).update(`${id}.${timestampSeconds}.${body}`).digest("base64")}`;
    })
    .join(" ");
}
