// One ARM budget per process, although bree runs the sync and the dispatcher in worker threads of their own: the
// main thread keeps the ledger (arm-budget.ts) and serves it; a worker's RemoteArmBudget asks it over the worker's
// message port. A reservation is one message round trip (well under a millisecond), small beside an ARM request.
import type { ArmBudget, BudgetAnswer, BudgetRequest, Reservation } from "./arm-budget.js";

type BudgetMessage =
  | { armBudget: { op: "reserve"; id: number; request: BudgetRequest; maxWaitMs: number } }
  | { armBudget: { op: "observe"; request: BudgetRequest; answer: BudgetAnswer } };

interface BudgetReply {
  armBudgetReply: { id: number; reservation: Reservation };
}

export function isBudgetMessage(message: unknown): message is BudgetMessage {
  return typeof message === "object" && message !== null && "armBudget" in message;
}

/** Main thread: answers one worker's budget message; `reply` posts back to that worker. */
export async function serveBudgetMessage(ledger: ArmBudget, message: BudgetMessage, reply: (m: BudgetReply) => void): Promise<void> {
  const m = message.armBudget;
  if (m.op === "observe") return ledger.observe(m.request, m.answer);
  reply({ armBudgetReply: { id: m.id, reservation: await ledger.reserve(m.request, m.maxWaitMs) } });
}

interface Port {
  postMessage(message: unknown): void;
  on(event: "message", listener: (message: unknown) => void): unknown;
}

/** Worker thread: the process's budget, through the port to the main thread (`parentPort`). */
export class RemoteArmBudget implements ArmBudget {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: Reservation) => void>();

  constructor(private readonly port: Port) {
    port.on("message", (message) => {
      const reply = (message as Partial<BudgetReply> | null)?.armBudgetReply;
      if (!reply) return;
      this.waiting.get(reply.id)?.(reply.reservation);
      this.waiting.delete(reply.id);
    });
  }

  reserve(request: BudgetRequest, maxWaitMs: number): Promise<Reservation> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.port.postMessage({ armBudget: { op: "reserve", id, request, maxWaitMs } } satisfies BudgetMessage);
    });
  }

  observe(request: BudgetRequest, answer: BudgetAnswer): void {
    this.port.postMessage({ armBudget: { op: "observe", request, answer } } satisfies BudgetMessage);
  }
}
