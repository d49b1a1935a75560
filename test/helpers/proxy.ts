// An HTTP proxy in front of the service for client tests: it records every request and can answer in the
// service's place or lose the service's response (the request reached the service; the caller never hears back).
import { createServer, type IncomingMessage, type Server } from "node:http";

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
}

/** What to do with a request: pass it on, answer it here, or pass it on and drop the connection instead of answering. */
export type ProxyDecision = "forward" | "lose-response" | { status: number; headers?: Record<string, string>; body?: string };

export interface Proxy {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startProxy(target: string, decide: (req: SeenRequest, index: number) => ProxyDecision = () => "forward"): Promise<Proxy> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers };
    seen.push(request);
    const decision = decide(request, seen.length - 1);
    if (typeof decision === "object") {
      res.writeHead(decision.status, decision.headers).end(decision.body ?? "");
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length"].includes(k))) as Record<string, string>;
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const answer = await fetch(new URL(request.url, target), { method: request.method, headers, body });
    const payload = Buffer.from(await answer.arrayBuffer());
    if (decision === "lose-response") {
      req.socket.destroy();
      return;
    }
    const out = Object.fromEntries([...answer.headers].filter(([k]) => !["content-length", "transfer-encoding", "connection", "keep-alive"].includes(k)));
    res.writeHead(answer.status, out).end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
