-- Idempotency keys belong to the caller's stable id (a user's oid, an application's appid), not to the display
-- name recorded as `created_by` elsewhere: display names can be renamed and reused.

-- AlterTable
ALTER TABLE "idempotency_keys" RENAME COLUMN "created_by" TO "principal_id";
