// Where a webhook may be sent (SSRF guard). Pure: the URL rules, and whether one IP address may be connected to.
// Deny by default: only addresses ipaddr.js classes as plain `unicast` pass — loopback, private (RFC 1918,
// fc00::/7), link-local (169.254.0.0/16 with Azure's instance metadata at 169.254.169.254, fe80::/10), CGNAT
// (100.64.0.0/10), unspecified, multicast, broadcast, reserved and the IPv6 ranges that embed an IPv4 address
// (6to4, Teredo, NAT64) are all refused. IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged as the IPv4 address it is.
import ipaddr from "ipaddr.js";

/** Why `address` must not be connected to (its range, e.g. `loopback`), or null when it may. */
export function forbiddenAddress(address: string): string | null {
  const literal = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(literal)) return "not-an-ip-address";
  const range = ipaddr.process(literal).range();
  return range === "unicast" ? null : range;
}

export type WebhookUrlCheck =
  | { ok: true; url: URL; /** The host when it is an IP literal (no DNS involved), else null. */ ipLiteral: string | null }
  | { ok: false; reason: string };

/**
 * The rules a webhook URL meets before any DNS: https (http too when `allowInsecure`), no credentials, and a
 * host that is not a forbidden IP literal. Names are checked on what they resolve to, at registration and again
 * on every connection (src/services/webhook-sender.ts).
 */
export function checkWebhookUrl(raw: string, allowInsecure: boolean): WebhookUrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "is not an absolute URL" };
  }
  const schemes = allowInsecure ? ["https:", "http:"] : ["https:"];
  if (!schemes.includes(url.protocol)) return { ok: false, reason: `must use ${allowInsecure ? "http or https" : "https"}, not ${url.protocol.replace(":", "")}` };
  if (url.username || url.password) return { ok: false, reason: "must not carry credentials (user:password@)" };
  if (!url.hostname) return { ok: false, reason: "has no host" };
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const ipLiteral = ipaddr.isValid(host) ? host : null;
  if (ipLiteral && !allowInsecure) {
    const why = forbiddenAddress(ipLiteral);
    if (why) return { ok: false, reason: `points at a ${why} address (${ipLiteral})` };
  }
  return { ok: true, url, ipLiteral };
}
