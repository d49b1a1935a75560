// Authentication and roles end to end: tokens signed with a local key, JWKS served on 127.0.0.1 (AUTH_MODE=entra).
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { ADMIN, BOOKER, READER, startTestIdentityProvider, type TestIdentityProvider } from "../helpers/auth.js";
import { DAY, HOUR, fromNow, selfServiceWindow, vmFixtures } from "../helpers/bookings.js";
import { expectContract } from "../helpers/openapi.js";

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");

describe("authentication (AUTH_MODE=entra)", () => {
  let idp: TestIdentityProvider;
  let ctx: TestContext;
  const vms = vmFixtures(() => ctx);
  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 6, seed: 21 } }, auth: idp.setup(), token: await idp.app(ADMIN) });
  });
  afterAll(async () => {
    await ctx?.close();
    await idp?.close();
  });

  const call = async (token: string | null, path = "/v1/virtual-machines?limit=1") => {
    const req = ctx.anonymous.get(path);
    const res = await (token === null ? req : req.set("authorization", `Bearer ${token}`));
    expectContract(res);
    return res;
  };

  it("accepts user (delegated) and application tokens", async () => {
    expect((await call(await idp.user(READER))).status).toBe(200);
    expect((await call(await idp.app(READER))).status).toBe(200);
  });

  it("refuses every bad token with 401 problem+json and a Bearer challenge", async () => {
    const user = { oid: "0a1b2c3d-0000-4000-8000-000000000001", scp: "access_as_user", roles: READER };
    const valid = await idp.user(READER);
    const [header, payload, signature] = valid.split(".");
    const forged = JSON.parse(Buffer.from(payload, "base64url").toString());
    const cases: [string, string][] = [
      ["wrong issuer", await idp.sign(user, { issuer: "https://login.microsoftonline.com/other-tenant/v2.0" })],
      ["wrong audience", await idp.sign(user, { audience: "api://someone-else" })],
      ["expired", await idp.sign(user, { expiresIn: -120 })],
      ["not yet valid", await idp.sign(user, { notBefore: 600 })],
      ["alg none", `${b64({ alg: "none", typ: "JWT" })}.${payload}.`],
      ["HS256 with the public key as secret", await new SignJWT(forged).setProtectedHeader({ alg: "HS256", kid: idp.current().kid }).sign(new TextEncoder().encode(idp.current().publicPem))],
      ["unknown kid", await idp.sign(user, { key: await idp.stranger() })],
      ["known kid, other key", await idp.sign(user, { key: { ...(await idp.stranger()), kid: idp.current().kid } })],
      ["tampered payload", `${header}.${b64({ ...forged, roles: ADMIN })}.${signature}`],
      ["no identity claims", await idp.sign({ scp: "x", roles: READER })],
      ["not a JWT", "abc"],
    ];
    for (const [name, token] of cases) {
      const res = await call(token);
      expect({ name, status: res.status, code: res.body.code }).toEqual({ name, status: 401, code: "unauthorized" });
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(res.headers["www-authenticate"]).toMatch(/^Bearer realm="maintenance-planner", error="invalid_token"/);
    }
    const missing = await call(null);
    expect(missing.status).toBe(401);
    expect(missing.headers["www-authenticate"]).toBe('Bearer realm="maintenance-planner"');
    const basic = await ctx.anonymous.get("/v1/bookings").set("authorization", "Basic YWRtaW46YWRtaW4=");
    expect(basic.status).toBe(401);
  });

  it("authenticates by the route reached, not the raw URL: percent-encoded paths get no way around it", async () => {
    // The router decodes `%76` to `v`, so these reach /v1 routes although their raw URL does not start with /v1.
    for (const path of ["/%761/virtual-machines", "/v%31/bookings", "/%76%31/sync-runs"]) {
      const res = await ctx.anonymous.get(path);
      expect(res.status, path).toBe(401);
      expect(res.body.code).toBe("unauthorized");
    }
  });

  it("refreshes the key set when a token names a new kid (key rotation)", async () => {
    const before = idp.fetches();
    await idp.rotate();
    expect((await call(await idp.user(READER))).status).toBe(200);
    expect(idp.fetches()).toBe(before + 1);
    expect((await call(await idp.user(READER))).status).toBe(200);
    expect(idp.fetches()).toBe(before + 1); // cached
  });

  it("missing role → 403 naming it; Admin implies Book implies Read", async () => {
    const none = await call(await idp.user([]));
    expect(none.status).toBe(403);
    expect(none.body).toMatchObject({ code: "forbidden", requiredRole: "Maintenance.Read" });
    const reader = await idp.user(READER);
    const book = await ctx.anonymous.post("/v1/bookings").set("authorization", `Bearer ${reader}`).send({});
    expectContract(book);
    expect(book.body).toMatchObject({ status: 403, requiredRole: "Maintenance.Book" });
    const sync = await ctx.anonymous.post("/v1/sync-runs").set("authorization", `Bearer ${await idp.user(BOOKER)}`);
    expect(sync.status).toBe(403);
    for (const path of ["/v1/audit-events", "/v1/scope-assignments"]) expect((await call(await idp.user(BOOKER), path)).status).toBe(403);
    expect((await call(await idp.user(ADMIN), "/v1/bookings")).status).toBe(200);
  });

  it("records the actor on the booking and in the audit trail, with the request id", async () => {
    const [vm] = await vms(1, () => selfServiceWindow(-DAY, 5 * DAY));
    const token = await idp.user(BOOKER, { preferred_username: "carol@contoso.com" });
    const res = await ctx.anonymous.post("/v1/bookings").set("authorization", `Bearer ${token}`).set("x-request-id", "req-carol-1").send({ virtualMachineId: vm.id, startAt: fromNow(3 * HOUR) });
    expectContract(res);
    expect(res.status).toBe(201);
    expect(res.body.createdBy).toBe("carol@contoso.com");
    expect(res.headers["x-client-request-id"]).toBe("req-carol-1");
    const audit = await ctx.http.get(`/v1/audit-events?targetId=${res.body.id}`);
    expectContract(audit);
    expect(audit.body.value).toEqual([expect.objectContaining({
      actor: "carol@contoso.com", action: "booking.created", targetType: "booking", requestId: res.headers["x-request-id"], clientRequestId: "req-carol-1", before: null,
    })]);
    const app = await ctx.http.get(`/v1/audit-events?action=sync.started`);
    expect(app.body.value[0]).toMatchObject({ actor: "9a8b7c6d-0000-4000-8000-00000000a991", targetType: "sync-run" });
  });

  it("leaves health, readiness, metrics and the docs open; security headers everywhere", async () => {
    for (const path of ["/healthz", "/readyz", "/metrics", "/openapi.yaml"]) expect((await ctx.anonymous.get(path)).status).toBe(200);
    const docs = await ctx.anonymous.get("/docs/").redirects(2);
    expect(docs.status).toBe(200);
    expect(docs.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(docs.headers["content-security-policy"]).not.toContain("upgrade-insecure-requests");
    const api = await call(await idp.user(READER));
    expect(api.headers).toMatchObject({ "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "content-security-policy": "default-src 'none';frame-ancestors 'none'" });
  });

  it("answers with its own x-request-id; echoes a safe caller id as x-client-request-id and drops one that could inject into headers or logs", async () => {
    const token = await idp.user(READER);
    const ok = await ctx.anonymous.get("/v1/bookings").set("authorization", `Bearer ${token}`).set("x-request-id", "abc-123_x.y:z");
    expect(ok.headers).toMatchObject({ "x-request-id": expect.stringMatching(/^[0-9a-f-]{36}$/), "x-client-request-id": "abc-123_x.y:z" });
    for (const bad of ["a b", "x".repeat(129), "<script>", "a\tb", "ü"]) {
      const res = await ctx.anonymous.get("/v1/bookings").set("authorization", `Bearer ${token}`).set("x-request-id", bad);
      expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers["x-client-request-id"]).toBeUndefined();
    }
  });
});

describe("rate limit", () => {
  let idp: TestIdentityProvider;
  let ctx: TestContext;
  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 1 } }, auth: idp.setup(), rateLimitPerMinute: 3 });
  });
  afterAll(async () => {
    await ctx?.close();
    await idp?.close();
  });

  it("limits each principal separately: 429 problem+json with Retry-After", async () => {
    const [alice, app] = [await idp.user(READER), await idp.app(READER)];
    const get = (t: string) => ctx.anonymous.get("/v1/bookings").set("authorization", `Bearer ${t}`);
    for (let i = 0; i < 3; i++) expect((await get(alice)).status).toBe(200);
    const limited = await get(alice);
    expectContract(limited);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe("too-many-requests");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect((await get(app)).status).toBe(200);
    expect((await ctx.anonymous.get("/healthz")).status).toBe(200);
  });
});
