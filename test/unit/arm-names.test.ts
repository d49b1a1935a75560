import { describe, expect, it } from "vitest";
import { armKey, subscriptionIdOf } from "../../src/domain/arm-names.js";

const same = (a: string, b: string) => armKey(a) === armKey(b);

describe("armKey: names compared as ARM (.NET OrdinalIgnoreCase) compares them", () => {
  it.each([
    ["rg-web", "RG-Web", "ASCII"],
    ["rg-ä", "RG-Ä", "Latin-1"],
    ["\u017F", "S", "ſ (long s) upper-cases to S"],
    ["\u00B5", "\u039C", "micro sign to Greek capital mu"],
    ["\u01C5", "\u01C4", "titlecase Dž to DŽ"],
    ["\u1FB3", "\u1FBC", "a simple mapping where the full one has two units"],
  ])("%s = %s (%s)", (a, b) => {
    expect(same(a, b)).toBe(true);
  });

  it.each([
    ["rg-kelvin", "rg-\u212Aelvin", "U+212A KELVIN SIGN is its own upper case; k is K"],
    ["Å", "\u212B", "U+212B ANGSTROM SIGN likewise"],
    ["rg-i", "rg-\u0131", "dotless ı stays ı (Windows' invariant casing)"],
    ["rg-I", "rg-\u0130", "İ is not I"],
    ["straße", "STRASSE", "simple mappings only: ß has no one-unit upper case"],
    ["\uFB01", "FI", "nor does the ﬁ ligature"],
    ["\u{10428}", "\u{10400}", "per UTF-16 unit: surrogate pairs are compared as they are"],
  ])("%s ≠ %s (%s)", (a, b) => {
    expect(same(a, b)).toBe(false);
  });

  it("agrees with the runtime's Unicode upper-casing wherever that maps one unit to one unit", () => {
    const unicodeMajor = Number(process.versions.unicode?.split(".")[0] ?? 0);
    const disagreements: string[] = [];
    for (let u = 0; u < 0x10000; u++) {
      if ((u >= 0xd800 && u <= 0xdfff) || u === 0x131) continue;
      const c = String.fromCharCode(u);
      const runtime = c.toUpperCase();
      const key = armKey(c);
      // The table is Unicode 17.0; an older runtime may not know a newer letter (it then keeps it as is).
      const fine = runtime.length === 1 ? key === runtime || (runtime === c && unicodeMajor < 17) : key === c || key.charCodeAt(0) - u === 8 || [0x1fbc, 0x1fcc, 0x1ffc].includes(key.charCodeAt(0));
      if (!fine) disagreements.push(`U+${u.toString(16)}: runtime ${JSON.stringify(runtime)}, key ${JSON.stringify(key)}`);
    }
    expect(disagreements).toEqual([]);
  });
});

describe("subscriptionIdOf", () => {
  it("is the lower-case GUID for any spelling ARM treats as that GUID, and null for anything else", () => {
    expect(subscriptionIdOf("11111111-AAAA-4111-8111-111111111111")).toBe("11111111-aaaa-4111-8111-111111111111");
    expect(subscriptionIdOf("11111111-aaaa-4111-8111-111111111111")).toBe("11111111-aaaa-4111-8111-111111111111");
    expect(subscriptionIdOf("not-a-guid")).toBeNull();
    expect(subscriptionIdOf("' OR '1'='1")).toBeNull();
  });
});
