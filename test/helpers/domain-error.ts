import { DomainError } from "../../src/domain/errors.js";

/** The DomainError `fn` throws; fails the test when it throws nothing or something else. */
export function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}
