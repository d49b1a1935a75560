import { Type } from "typebox";
import { Cursor, Limit, NullableTimestamp, Timestamp, Uuid, page } from "./common.js";

export const SyncRun = Type.Object(
  {
    id: Uuid,
    trigger: Type.Union([Type.Literal("schedule"), Type.Literal("api"), Type.Literal("startup")]),
    status: Type.Union([Type.Literal("running"), Type.Literal("succeeded"), Type.Literal("partial"), Type.Literal("failed"), Type.Literal("abandoned")], {
      description: "`partial`: some subscriptions failed (see `errors`); `abandoned`: the process running it stopped.",
    }),
    full: Type.Boolean({ description: "A full sweep: every VM's instance view was read, however fresh its stored status." }),
    startedAt: Timestamp,
    finishedAt: NullableTimestamp,
    vmsSeen: Type.Integer(),
    windowsNew: Type.Integer(),
    windowsChanged: Type.Integer(),
    windowsCleared: Type.Integer(),
    vmsGone: Type.Integer(),
    armRequests: Type.Integer({ description: "HTTP requests sent to ARM by this run, retries included." }),
    instanceViewsRead: Type.Integer({
      description: "Instance views read one VM at a time: VMs seen for the first time, with pending maintenance or an active booking, and those whose sweep slot came round (SYNC_SWEEP_INTERVAL).",
    }),
    instanceViewsSkipped: Type.Integer({ description: "VMs whose stored maintenance was fresh enough not to read this time." }),
    errors: Type.Array(
      Type.Object({ subscriptionId: Type.String(), code: Type.Union([Type.String(), Type.Null()]), message: Type.String() }, { additionalProperties: false }),
      { description: "One entry per subscription that failed (its listing, or some of its instance views); the others were synced." },
    ),
  },
  { $id: "SyncRun", additionalProperties: false },
);

export const SyncRunQuery = Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false });
export const SyncRunPage = page(Type.Ref("SyncRun"), "Sync runs, newest first.");

export const SyncRunStart = Type.Object(
  { full: Type.Optional(Type.Boolean({ default: false, description: "Read every VM's instance view now, however fresh its stored status (a full sweep)." })) },
  { additionalProperties: false, examples: [{ full: true }] },
);
