// A local webhook receiver for tests: records every request, answers what the test says (a status, or never),
// and verifies signatures with the `standardwebhooks` library — what a subscriber would use.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { until } from "./until.js";

export interface ReceivedWebhook {
  /** Path and query, e.g. `/hook?second`. */
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The status answered (null: never answered). */
  status: number | null;
  at: number;
}

/** What to answer the n-th request (1-based): a status, or "hang" to never answer. */
export type Responder = (r: ReceivedWebhook, n: number) => number | "hang";

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  respond(responder: Responder): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(responder: Responder = () => 204): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let respond = responder;
  const hanging = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const r: ReceivedWebhook = { path: req.url ?? "", headers: req.headers as Record<string, string>, body, status: null, at: Date.now() };
      received.push(r);
      const answer = respond(r, received.length);
      if (answer === "hang") {
        hanging.add(res);
        return;
      }
      r.status = answer;
      // A redirect points back here, so a test can see that it is never followed.
      const location = answer >= 300 && answer < 400 ? { location: `/hook?redirected` } : undefined;
      res.writeHead(answer, location).end(answer >= 400 ? "receiver says no" : "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    respond: (r) => (respond = r),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Verifies one received request with `secret` as a subscriber would; returns the parsed CloudEvent or throws. */
export function verifyWebhook(secret: string, r: ReceivedWebhook): Record<string, any> {
  return new Webhook(secret).verify(r.body, {
    "webhook-id": r.headers["webhook-id"],
    "webhook-timestamp": r.headers["webhook-timestamp"],
    "webhook-signature": r.headers["webhook-signature"],
  }) as Record<string, any>;
}

/** until() (test/helpers/until.ts) for checks that may be synchronous, polled every 25 ms, 15 s by default. */
export function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  return until(what, async () => check(), timeoutMs, 25);
}

/** Every address class a webhook must never reach, with the range it is refused as. */
export const FORBIDDEN_ADDRESSES: [string, string][] = [
  ["127.0.0.1", "loopback"],
  ["127.255.0.9", "loopback"],
  ["::1", "loopback"],
  ["10.1.2.3", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.254", "private"],
  ["192.168.1.1", "private"],
  ["fc00::1", "uniqueLocal"],
  ["fd12:3456::1", "uniqueLocal"],
  ["169.254.169.254", "linkLocal"],
  ["169.254.1.1", "linkLocal"],
  ["fe80::1", "linkLocal"],
  ["100.64.0.1", "carrierGradeNat"],
  ["100.127.255.254", "carrierGradeNat"],
  ["0.0.0.0", "unspecified"],
  ["::", "unspecified"],
  ["224.0.0.1", "multicast"],
  ["ff02::1", "multicast"],
  ["255.255.255.255", "broadcast"],
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:169.254.169.254", "linkLocal"],
  ["::ffff:10.0.0.1", "private"],
  ["::ffff:7f00:1", "loopback"],
];
