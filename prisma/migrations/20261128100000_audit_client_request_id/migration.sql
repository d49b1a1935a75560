-- The audit trail's `request_id` is the id the service generated for the request (issue 10): a caller could put
-- any x-request-id there. The caller's own id is kept beside it, for correlation with the caller's logs.

-- AlterTable
ALTER TABLE "audit_events" ADD COLUMN "client_request_id" TEXT;
