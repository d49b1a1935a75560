// Names compared as ARM compares them, in SQL and in code alike: U+212A KELVIN SIGN is not `k` for the resource
// group filter, the name search, scope checks (lists and direct reads) and resource id keys, although lower() folds
// it to `k`. And the database's arm_key() is the code's armKey() on every code unit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { armKey } from "../../src/domain/arm-names.js";
import { recordObservations, type ObservedVm } from "../../src/db/observations-repo.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { ADMIN, READER, startTestIdentityProvider, type TestIdentityProvider } from "../helpers/auth.js";
import { expectContract } from "../helpers/openapi.js";

const SUB = "5ab5c0de-0000-4000-8000-00000000c0de";
const KELVIN = "\u212A";
const READER_OID = "0c0c0c0c-0000-4000-8000-000000000c0c";

function observed(resourceGroup: string, name: string): ObservedVm {
  return {
    resourceId: `/subscriptions/${SUB}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${name}`,
    subscriptionId: SUB, resourceGroup, name, location: "westeurope", scaleSetName: null, scaleSetInstanceId: null,
    availabilitySet: null, zone: null, tags: {}, powerState: "running", readAt: new Date(),
    instanceView: { maintenance: null, powerState: "running", platformUpdateDomain: 0, platformFaultDomain: 0 },
  };
}

describe("ARM names compared as ARM compares them", () => {
  let idp: TestIdentityProvider;
  let ctx: TestContext;
  let reader: string;
  const ids = new Map<string, string>();
  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    ctx = await createTestContext({ simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 1 } }, auth: idp.setup(), token: await idp.app(ADMIN) });
    // Through the sync's own write path: two resource groups and two VM names that differ only by K vs U+212A.
    await recordObservations(ctx.database.db.pool, null, [observed("rg-kelvin", "vm-k"), observed(`rg-${KELVIN}elvin`, "vm-b"), observed("rg-kelvin", `vm-${KELVIN}`)]);
    const { rows } = await ctx.database.db.pool.query<{ id: string; resource_id: string }>("SELECT id, resource_id FROM virtual_machines WHERE subscription_id = $1", [SUB]);
    for (const r of rows) ids.set(r.resource_id.split("/").slice(-1)[0], r.id);
    expect((await ctx.http.post("/v1/scope-assignments").send({ principalId: READER_OID, subscriptionId: SUB.toUpperCase(), resourceGroup: "RG-KELVIN" })).status).toBe(201);
    reader = await idp.user(READER, { oid: READER_OID, groups: [] });
  });
  afterAll(async () => {
    await ctx?.close();
    await idp?.close();
  });
  const names = async (url: string, token?: string) => {
    const res = token ? await ctx.anonymous.get(url).set("authorization", `Bearer ${token}`) : await ctx.http.get(url);
    expectContract(res);
    expect(res.status).toBe(200);
    return res.body.value.map((v: { name: string }) => v.name).sort();
  };

  it("two VMs whose ids differ only by K and U+212A are two VMs (resource id keys)", () => {
    expect([...ids.keys()].sort()).toEqual(["vm-b", "vm-k", `vm-${KELVIN}`].sort());
  });

  it("the resource group filter: RG-KELVIN is rg-kelvin, not rg-\\u212Aelvin", async () => {
    expect(await names(`/v1/virtual-machines?subscriptionId=${SUB.toUpperCase()}&resourceGroup=RG-KELVIN`)).toEqual(["vm-k", `vm-${KELVIN}`].sort());
    expect(await names(`/v1/virtual-machines?resourceGroup=${encodeURIComponent(`rg-${KELVIN}ELVIN`)}`)).toEqual(["vm-b"]);
  });

  it("the name search: k finds vm-k, not vm-\\u212A", async () => {
    expect(await names(`/v1/virtual-machines?subscriptionId=${SUB}&q=VM-K`)).toEqual(["vm-k"]);
  });

  it("a scope on rg-kelvin does not cover rg-\\u212Aelvin: not listed, and 404 when read directly", async () => {
    expect(await names("/v1/virtual-machines?limit=1000", reader)).toEqual(["vm-k", `vm-${KELVIN}`].sort());
    const direct = await ctx.anonymous.get(`/v1/virtual-machines/${ids.get("vm-b")}`).set("authorization", `Bearer ${reader}`);
    expect(direct.status).toBe(404);
    expect((await ctx.anonymous.get(`/v1/virtual-machines/${ids.get("vm-k")}`).set("authorization", `Bearer ${reader}`)).status).toBe(200);
  });

  it("a scope assignment for the same resource group in another case is a duplicate (409)", async () => {
    const again = await ctx.http.post("/v1/scope-assignments").send({ principalId: READER_OID, subscriptionId: SUB, resourceGroup: "rg-Kelvin" });
    expectContract(again);
    expect(again.status).toBe(409);
  });

  it("the database's arm_key() is armKey() on every code unit PostgreSQL can store", async () => {
    let all = "";
    for (let u = 1; u < 0x10000; u++) if (u < 0xd800 || u > 0xdfff) all += String.fromCharCode(u);
    const { rows } = await ctx.database.db.pool.query<{ key: string }>("SELECT arm_key($1) AS key", [all]);
    const sql = rows[0].key;
    const js = armKey(all);
    expect(sql.length).toBe(js.length);
    const differing = [...js].flatMap((c, i) => (c === sql[i] ? [] : [`U+${all.charCodeAt(i).toString(16)}: js ${c}, sql ${sql[i]}`]));
    expect(differing).toEqual([]);
  });
});
