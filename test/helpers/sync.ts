import { expect } from "vitest";
import type TestAgent from "supertest/lib/agent.js";
import { expectContract } from "./openapi.js";

/**
 * Starts a sync through the API and waits for it to finish; returns the finished run's JSON. `full`: read every
 * VM's instance view (a VM without pending maintenance is otherwise re-read only when its sweep slot comes).
 */
export async function syncNow(http: TestAgent, body?: { full: boolean }): Promise<Record<string, any>> {
  const started = body ? await http.post("/v1/sync-runs").send(body) : await http.post("/v1/sync-runs");
  expectContract(started);
  expect(started.status).toBe(202);
  return waitForRun(http, started.headers.location);
}

export async function waitForRun(http: TestAgent, location: string): Promise<Record<string, any>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await http.get(location);
    expectContract(res);
    if (res.body.status !== "running") return res.body;
    if (Date.now() > deadline) throw new Error(`sync run ${location} still running`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every page of a list endpoint, following nextLink. */
export async function listAll(http: TestAgent, url: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let next: string | null = url;
  while (next) {
    const res = await http.get(next);
    expectContract(res);
    expect(res.status).toBe(200);
    items.push(...res.body.value);
    next = res.body.nextLink;
  }
  return items;
}
