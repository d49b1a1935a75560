-- The row trigger refuses UPDATE and DELETE on the audit trail, but TRUNCATE fires no row triggers and emptied it
-- (issue 10). A statement-level trigger refuses it too, even for the table's owner; TRUNCATE of another table with
-- CASCADE cannot reach audit_events (no foreign key points at it). Least privilege (the run-time role has no
-- TRUNCATE, src/db/runtime-grants.ts) keeps the service from even trying.

CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_append_only"();
