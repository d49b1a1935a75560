import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "../../src/db/errors.js";

const pgError = (code: string) => Object.assign(new Error("x"), { code });
const prismaError = (cause: object) => Object.assign(new Error("Invalid `prisma.x()` invocation"), { code: "P2010", meta: { driverAdapterError: { name: "DriverAdapterError", cause } } });

describe("isDatabaseUnavailable", () => {
  it.each([
    ["53300 too_many_connections", pgError("53300")],
    ["57P03 cannot_connect_now (starting up, recovery)", pgError("57P03")],
    ["57P01 admin_shutdown", pgError("57P01")],
    ["08006 connection_failure", pgError("08006")],
    ["ECONNREFUSED", pgError("ECONNREFUSED")],
    ["the pool timeout", new Error("timeout exceeded when trying to connect")],
    ["a dropped socket", new Error("Connection terminated unexpectedly")],
    ["Prisma: not reachable", prismaError({ kind: "DatabaseNotReachable", host: "h", port: 5432 })],
    ["Prisma: too many connections", prismaError({ kind: "TooManyConnections", originalCode: "53300" })],
    ["Prisma: another kind carrying 57P03", prismaError({ kind: "postgres", originalCode: "57P03" })],
    ["wrapped as a cause", new Error("outer", { cause: pgError("53300") })],
  ])("%s: yes", (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ["a unique violation", pgError("23505")],
    ["a syntax error", pgError("42601")],
    ["an invalid datetime", pgError("22008")],
    ["Prisma: a unique violation", prismaError({ kind: "UniqueConstraintViolation" })],
    ["a bug", new TypeError("x is undefined")],
    ["not an error", "53300"],
  ])("%s: no", (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
