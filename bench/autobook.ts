// Auto-booking benchmark: 10,000 VMs (1,000 availability sets × 5 update domains × 2 VMs) in 200 autoBook
// maintenance groups (each 5 sets, maxConcurrent 10%, booking into one of 10 daily windows in 10 time zones), which
// gain self-service windows in one sync. The sync's reads are not measured (`npm run bench sync` does that): the
// VMs are in the database already, the sync's writes of their new maintenance statuses are one statement, and the
// clock starts when the sync is over and its after-sync steps begin (members refreshed, bookings re-checked,
// auto-booking, deadline alerts), and stops when they have committed every booking. Then the auto-booking step
// alone, on the same fleet with its bookings removed. Goal: ≤ 10 s.
import type pg from "pg";
import { loadConfig } from "../src/config/config.js";
import { afterSyncSteps } from "../src/services/after-sync.js";
import { runAutoBooking, type AutoBookConfig } from "../src/services/auto-booking.js";
import { MAINTENANCE_WINDOW, putCalendarDefinition } from "../src/services/calendars.js";
import { refreshMembers } from "../src/services/maintenance-groups.js";
import { createTestDatabase } from "../test/helpers/database.js";

const SETS = 1_000;
const DOMAINS = 5;
const PER_DOMAIN = 2;
const GROUPS = 200;
const ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC", "Asia/Tokyo", "Europe/London", "America/Los_Angeles", "Africa/Nairobi", "America/Sao_Paulo"];
const CONFIG: AutoBookConfig = { policy: { minLeadSeconds: 300, endMarginSeconds: 3_600 }, planner: { updateDomainGapMs: 30 * 60_000, endMarginMs: 3_600_000 } };
const AUDIT = { actor: "bench", requestId: null };

async function seed(pool: pg.Pool): Promise<void> {
  for (const [i, timeZone] of ZONES.entries()) {
    await putCalendarDefinition(pool, AUDIT, MAINTENANCE_WINDOW, `nightly-${i}`, { timeZone, rrule: "FREQ=DAILY", start: "02:00", duration: "3h" });
  }
  await pool.query(
    `INSERT INTO virtual_machines (id, resource_id, resource_id_key, subscription_id, resource_group, name, location, availability_set,
       platform_update_domain, tags, first_seen_at, last_seen_at, maintenance_read_at)
     SELECT gen_random_uuid(), r.id, upper(r.id), 'bench-sub', 'rg-' || s, 'vm-' || n, 'westeurope', 'as-' || s, (n / $2::int) % $1::int,
       jsonb_build_object('app', 'app-' || (s % $3::int)), now(), now(), now()
     FROM generate_series(0, $4::int - 1) n, LATERAL (SELECT n / ($1::int * $2::int) AS s) set_of,
       LATERAL (SELECT '/subscriptions/bench-sub/resourceGroups/rg-' || s || '/providers/Microsoft.Compute/virtualMachines/vm-' || n AS id) r`,
    [DOMAINS, PER_DOMAIN, GROUPS, SETS * DOMAINS * PER_DOMAIN],
  );
  await pool.query(
    `INSERT INTO maintenance_groups (name, selector, policy, created_by)
     SELECT 'app-' || g, jsonb_build_object('tags', jsonb_build_object('app', 'app-' || g)),
       jsonb_build_object('maxConcurrent', '10%', 'autoBook', true, 'maintenanceWindow', 'nightly-' || (g % $2::int)), 'bench'
     FROM generate_series(0, $1::int - 1) g`,
    [GROUPS, ZONES.length],
  );
  await refreshMembers(pool);
}

/** What the sync writes when every VM gains a self-service window (open now, for 10 days). */
async function gainWindows(pool: pg.Pool): Promise<void> {
  await pool.query(
    `INSERT INTO maintenance_statuses (virtual_machine_id, customer_initiated_maintenance_allowed, self_service_window_start, self_service_window_end,
       scheduled_window_start, scheduled_window_end, last_operation_result_code, observed_at)
     SELECT id, true, now() - interval '1 hour', now() + interval '10 days', now() + interval '12 days', now() + interval '12 days 8 hours', 'None', now()
     FROM virtual_machines`,
  );
}

const count = async (pool: pg.Pool) =>
  (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM bookings WHERE state = 'scheduled' AND created_by LIKE 'system:auto-booking:%'`)).rows[0].n;

export interface AutoBookBenchRow {
  run: string;
  vms: number;
  groups: number;
  booked: number;
  seconds: number;
}

export async function runAutoBookBenchmark(): Promise<AutoBookBenchRow[]> {
  const database = await createTestDatabase();
  const pool = database.db.pool;
  try {
    await seed(pool);
    await gainWindows(pool);
    const steps = afterSyncSteps(pool, { deadlineWarnings: loadConfig({}).deadlineWarnings, autoBook: CONFIG });
    let started = performance.now();
    await steps({ id: "bench" });
    const chain = (performance.now() - started) / 1000;
    const afterSync = await count(pool);
    await pool.query(`DELETE FROM bookings`); // auto_bookings go with them
    started = performance.now();
    const result = await runAutoBooking(pool, CONFIG, new Date());
    const alone = (performance.now() - started) / 1000;
    const vms = SETS * DOMAINS * PER_DOMAIN;
    return [
      { run: "sync end → after-sync steps committed every booking", vms, groups: GROUPS, booked: afterSync, seconds: Math.round(chain * 100) / 100 },
      { run: "the auto-booking step alone (plan + write)", vms, groups: GROUPS, booked: result.booked, seconds: Math.round(alone * 100) / 100 },
    ];
  } finally {
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await runAutoBookBenchmark());
