import { Type } from "typebox";
import { Cursor, Limit, NullableTimestamp, Timestamp, Uuid, page } from "./common.js";

export const SyncRun = Type.Object(
  {
    id: Uuid,
    trigger: Type.Union([Type.Literal("schedule"), Type.Literal("api"), Type.Literal("startup")]),
    status: Type.Union([Type.Literal("running"), Type.Literal("succeeded"), Type.Literal("partial"), Type.Literal("failed"), Type.Literal("abandoned")], {
      description: "`partial`: some subscriptions failed (see `errors`); `abandoned`: the process running it stopped.",
    }),
    startedAt: Timestamp,
    finishedAt: NullableTimestamp,
    vmsSeen: Type.Integer(),
    windowsNew: Type.Integer(),
    windowsChanged: Type.Integer(),
    windowsCleared: Type.Integer(),
    vmsGone: Type.Integer(),
    armRequests: Type.Integer({ description: "HTTP requests sent to ARM by this run, retries included." }),
    errors: Type.Array(
      Type.Object({ subscriptionId: Type.String(), code: Type.Union([Type.String(), Type.Null()]), message: Type.String() }, { additionalProperties: false }),
      { description: "One entry per subscription that failed; the others were synced." },
    ),
  },
  { $id: "SyncRun", additionalProperties: false },
);

export const SyncRunQuery = Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false });
export const SyncRunPage = page(Type.Ref("SyncRun"), "Sync runs, newest first.");
