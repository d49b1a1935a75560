-- Scope assignments and the audit trail (issue: security).

-- CreateTable
CREATE TABLE "scope_assignments" (
    "id" UUID NOT NULL,
    "principal_id" TEXT NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "resource_group" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scope_assignments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "request_id" TEXT,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "scope_assignments_principal_id_idx" ON "scope_assignments"("principal_id");

-- CreateIndex
CREATE INDEX "audit_events_actor_id_idx" ON "audit_events"("actor", "id");

-- CreateIndex
CREATE INDEX "audit_events_target_id_id_idx" ON "audit_events"("target_id", "id");

-- CreateIndex
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");

-- Not expressible in schema.prisma: one assignment per principal, subscription and resource group, where a
-- missing resource group (the whole subscription) counts as one value. The service stores ids lower-cased.
CREATE UNIQUE INDEX "scope_assignments_unique" ON "scope_assignments"("principal_id", "subscription_id", (coalesce("resource_group", '')));

-- Not expressible in schema.prisma: the audit trail is append-only. The service never updates or deletes it;
-- this makes a mistake (or a compromised service account) fail loudly instead of rewriting history.
CREATE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE OR DELETE ON "audit_events"
    FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"();
