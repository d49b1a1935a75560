// End to end: a booking made through the API and run to completion by the dispatcher (real SDK, simulator), a
// window that appears in a sync — each delivered to a webhook receiver that verifies it with `standardwebhooks`,
// and each delivered CloudEvent meets the schema GET /v1/event-types gives for its type.
import { randomBytes } from "node:crypto";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "../../src/services/dispatcher.js";
import { startExecutionDispatcher } from "../../src/services/execution-dispatch.js";
import { createWebhookSender } from "../../src/services/webhook-sender.js";
import { startDeliveryWorker, type DeliveryWorker } from "../../src/services/webhook-worker.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { DAY, fromNow, selfServiceWindow, vmFixtures } from "../helpers/bookings.js";
import { waitForBookings } from "../helpers/scheduler.js";
import { gatewayFor } from "../helpers/simulator.js";
import { startWebhookReceiver, verifyWebhook, waitFor, type WebhookReceiver } from "../helpers/webhook-receiver.js";

describe("booking and window events as webhooks", () => {
  const key = randomBytes(32);
  let ctx: TestContext;
  let receiver: WebhookReceiver;
  let secret: string;
  let worker: DeliveryWorker;
  let dispatcher: Dispatcher;
  const sender = createWebhookSender({ timeoutMs: 2_000, allowInsecure: true });
  const vms = vmFixtures(() => ctx);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const validators = new Map<string, ReturnType<typeof ajv.compile>>();
  const received = (subject: string) => receiver.received.map((r) => verifyWebhook(secret, r)).filter((e) => e.subject === subject);

  beforeAll(async () => {
    ctx = await createTestContext({
      simulator: { fleet: { subscriptions: 1, vmsPerSubscription: 6, seed: 23 } }, bookingPolicy: { minLeadSeconds: 0, endMarginSeconds: 0 },
      webhooks: { key, allowInsecure: true },
    });
    receiver = await startWebhookReceiver();
    const created = await ctx.http.post("/v1/webhook-subscriptions").send({ url: receiver.url });
    expect(created.status).toBe(201);
    secret = created.body.secret;
    for (const t of (await ctx.http.get("/v1/event-types")).body.value) validators.set(t.type, ajv.compile(t.schema));
    const pool = ctx.database.db.pool;
    worker = startDeliveryWorker({ pool, sender, key, leaseMs: 10_000, rules: { scheduleMs: [50, 50], disableAfterMs: DAY } }, { pollIntervalMs: 50, concurrency: 4 });
    dispatcher = startExecutionDispatcher(
      { pool, gateway: gatewayFor(ctx.sim, { retry: { maxRetries: 0 } }) },
      { dispatchIntervalMs: 50, leaseDurationMs: 5_000, misfireGraceSeconds: 3_600, maxAttempts: 3, retryBaseDelayMs: 50, retryMaxDelayMs: 200 },
    );
  });
  afterAll(async () => {
    await dispatcher?.stop();
    await worker?.stop();
    sender.close();
    await receiver?.close();
    await ctx?.close();
  });

  const meetsSchema = (event: Record<string, any>) => {
    const validate = validators.get(event.type)!;
    expect(validate(event), `${event.type}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  };

  it("a booking run to completion delivers booking.created, booking.started, booking.completed, in sequence and time order", async () => {
    const [vm] = await vms(1, () => selfServiceWindow(-DAY, 5 * DAY));
    const booked = await ctx.http.post("/v1/bookings").send({ virtualMachineId: vm.id, startAt: fromNow(500) });
    expect(booked.status).toBe(201);
    expect((await waitForBookings(ctx.database.db.pool, [booked.body.id]))[0].state).toBe("completed");
    const events = await waitFor("three events", () => {
      const got = received(booked.body.id);
      return got.length === 3 && got;
    });
    events.sort((a, b) => a.sequence.localeCompare(b.sequence));
    expect(events.map((e) => [e.type.replace("org.maintenance-planner.", ""), e.sequence])).toEqual([
      ["booking.created", "00000000000000000001"], ["booking.started", "00000000000000000002"], ["booking.completed", "00000000000000000003"],
    ]);
    expect(Date.parse(events[0].time)).toBeLessThan(Date.parse(events[1].time));
    expect(Date.parse(events[1].time)).toBeLessThan(Date.parse(events[2].time));
    expect(events[2].data.booking).toMatchObject({ id: booked.body.id, state: "completed" });
    events.forEach(meetsSchema);
  });

  it("a window that appears in a sync is delivered as window.appeared", async () => {
    const [vm] = await vms(1, () => selfServiceWindow(DAY, 10 * DAY));
    const [event] = await waitFor("window.appeared", () => {
      const got = received(vm.id).filter((e) => e.type.endsWith("window.appeared"));
      return got.length > 0 && got;
    });
    expect(event.data).toMatchObject({ virtualMachine: { id: vm.id }, change: "appeared" });
    meetsSchema(event);
  });
});
