import { describe, expect, it } from "vitest";
import { checkWebhookUrl, forbiddenAddress } from "../../src/domain/webhook-address.js";
import { FORBIDDEN_ADDRESSES } from "../helpers/webhook-receiver.js";


describe("webhook addresses", () => {
  it.each(FORBIDDEN_ADDRESSES)("refuses %s (%s)", (address, range) => {
    expect(forbiddenAddress(address)).toBe(range);
  });

  it.each(["8.8.8.8", "20.50.2.1", "2606:4700::1111", "::ffff:8.8.8.8"])("allows the public address %s", (address) => {
    expect(forbiddenAddress(address)).toBeNull();
  });

  it("refuses what is not an IP address, and IPv6 ranges that embed IPv4 (6to4, NAT64)", () => {
    expect(forbiddenAddress("example.com")).toBe("not-an-ip-address");
    expect(forbiddenAddress("2002:a00:1::1")).not.toBeNull();
    expect(forbiddenAddress("64:ff9b::a00:1")).not.toBeNull();
  });
});

describe("webhook URLs", () => {
  it.each([
    ["http://hooks.example.com/x", "must use https"],
    ["ftp://hooks.example.com/x", "must use https"],
    ["file:///etc/passwd", "must use https"],
    ["javascript:alert(1)", "must use https"],
    ["ws://hooks.example.com", "must use https"],
    ["https://user:pw@hooks.example.com/", "credentials"],
    ["not a url", "absolute URL"],
    ["https://127.0.0.1/x", "loopback"],
    ["https://[::1]/x", "loopback"],
    ["https://[::ffff:169.254.169.254]/", "linkLocal"],
    ["https://2130706433/", "loopback"],
    ["https://0x7f.1/", "loopback"],
    ["https://169.254.169.254/metadata/instance", "linkLocal"],
  ])("refuses %s", (url, reason) => {
    const checked = checkWebhookUrl(url, false);
    expect(checked.ok).toBe(false);
    expect(checked.ok ? "" : checked.reason).toContain(reason);
  });

  it("accepts https to a name or a public address; names are left to the resolver", () => {
    expect(checkWebhookUrl("https://hooks.example.com/maintenance?x=1", false)).toMatchObject({ ok: true, ipLiteral: null });
    expect(checkWebhookUrl("https://8.8.8.8/", false)).toMatchObject({ ok: true, ipLiteral: "8.8.8.8" });
  });

  it("WEBHOOK_ALLOW_INSECURE lets http and local addresses through, never other schemes", () => {
    expect(checkWebhookUrl("http://127.0.0.1:8080/hook", true).ok).toBe(true);
    expect(checkWebhookUrl("ftp://127.0.0.1/", true).ok).toBe(false);
  });
});
