// What is kept how long. The outbox and its webhook deliveries are kept for OUTBOX_RETENTION (the event stream can
// replay, and the deliveries API show, that far back); idempotency records of single creates and of batches for
// IDEMPOTENCY_KEY_RETENTION (a client retries within minutes; a week covers any sane retry loop). The audit trail
// is never pruned.

export interface RetentionSettings {
  /** OUTBOX_RETENTION: outbox events and final webhook deliveries. */
  outboxMs: number;
  /** IDEMPOTENCY_KEY_RETENTION: `idempotency_keys` and `booking_batches`. */
  idempotencyKeyMs: number;
}

export interface RetentionCutoffs {
  /** Events from before this, and final deliveries last attempted before it, may go. */
  outbox: Date;
  /** Idempotency records made before this may go. */
  idempotencyKeys: Date;
}

export function retentionCutoffs(now: Date, settings: RetentionSettings): RetentionCutoffs {
  return {
    outbox: new Date(now.getTime() - settings.outboxMs),
    idempotencyKeys: new Date(now.getTime() - settings.idempotencyKeyMs),
  };
}

export type ResumeRefusal = "unknown" | "too-many" | "pruned";

/**
 * Whether a stream may resume after `lastEventId`. Positions are given without holes (1, 2, 3 …, see
 * db/event-stream-repo.ts), so `stored`, the events kept after `lastEventId` up to `last`, falls short of
 * `last - lastEventId` exactly when retention removed some of them. null: replay.
 */
export function resumeRefusal(lastEventId: number, last: number, stored: number, replayMax: number): ResumeRefusal | null {
  if (lastEventId > last) return "unknown";
  if (last - lastEventId > replayMax) return "too-many";
  if (stored < last - lastEventId) return "pruned";
  return null;
}
