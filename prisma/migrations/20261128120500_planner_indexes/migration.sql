-- The claim's two kinds of due bookings, each by the time it is due (a deferral's time, a retry's time, else the
-- booked time), and the deferred bookings an ended operation wakes: each an index, so a claim or an operation's
-- end costs the same whatever the table's history holds. Partial expression indexes, which Prisma's schema
-- cannot state (test/integration/schema-matches-migrations.test.ts lists them).
CREATE INDEX "bookings_scheduled_due" ON "bookings" ((coalesce("deferred_until", "start_at"))) WHERE "state" = 'scheduled';
CREATE INDEX "bookings_running_due" ON "bookings" ((coalesce("next_attempt_at", "start_at"))) WHERE "state" = 'running';
CREATE INDEX "bookings_deferred" ON "bookings" ("deferred_until") WHERE "state" = 'scheduled' AND "deferred_until" IS NOT NULL;
