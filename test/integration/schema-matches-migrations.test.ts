// Proves the hand-written migrations produce exactly the database prisma/schema.prisma describes, since
// Prisma's engine (which would generate the SQL) cannot run here. Both sides are rendered as one line per
// table / column / index / foreign key, so a failure prints precisely what is missing or unexpected.
//
// The data model comes from Prisma itself: `@prisma/internals` (getDMMF) is not installed (Prisma 7's CLI
// bundles it), so we run the installed CLI's `prisma generate` offline with a throw-away generator that
// writes the DMMF it is handed (the documented generator JSON-RPC protocol) to a file.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { packageRoot } from "../../src/db/migration-files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";

// Objects Prisma's schema language cannot express, each with its full definition as the database reports it.
const ALLOWED_EXTRAS = [
  `index sync_runs_one_running: CREATE UNIQUE INDEX sync_runs_one_running ON public.sync_runs USING btree ((true)) WHERE (status = 'running'::text)`,
  `index bookings_one_active_per_vm: CREATE UNIQUE INDEX bookings_one_active_per_vm ON public.bookings USING btree (virtual_machine_id) WHERE (state = ANY (ARRAY['scheduled'::text, 'running'::text, 'held'::text]))`,
  `index outbox_events_not_fanned_out: CREATE INDEX outbox_events_not_fanned_out ON public.outbox_events USING btree ("time") WHERE (fanned_out_at IS NULL)`,
  `index outbox_events_not_positioned: CREATE INDEX outbox_events_not_positioned ON public.outbox_events USING btree ("time") WHERE ("position" IS NULL)`,
  `index bookings_deferred: CREATE INDEX bookings_deferred ON public.bookings USING btree (deferred_until) WHERE ((state = 'scheduled'::text) AND (deferred_until IS NOT NULL))`,
  `index bookings_running_due: CREATE INDEX bookings_running_due ON public.bookings USING btree (COALESCE(next_attempt_at, start_at)) WHERE (state = 'running'::text)`,
  `index bookings_scheduled_due: CREATE INDEX bookings_scheduled_due ON public.bookings USING btree (COALESCE(deferred_until, start_at)) WHERE (state = 'scheduled'::text)`,
  `index webhook_deliveries_due: CREATE INDEX webhook_deliveries_due ON public.webhook_deliveries USING btree (next_attempt_at) WHERE (state = 'pending'::text)`,
  `index webhook_deliveries_final: CREATE INDEX webhook_deliveries_final ON public.webhook_deliveries USING btree (last_attempt_at) WHERE (state <> 'pending'::text)`,
  `index scope_assignments_unique: CREATE UNIQUE INDEX scope_assignments_unique ON public.scope_assignments USING btree (principal_id, subscription_id, COALESCE(arm_key(resource_group), ''::text))`,
];

const DUMP_GENERATOR = `import { createInterface } from "node:readline";
import { writeFileSync } from "node:fs";
createInterface({ input: process.stdin }).on("line", (line) => {
  const { id, method, params } = JSON.parse(line);
  if (method === "generate") writeFileSync(process.env.DMMF_OUT, JSON.stringify(params.dmmf.datamodel));
  const result = method === "getManifest" ? { manifest: { prettyName: "DMMF dump", requiresGenerators: [] } } : null;
  process.stderr.write(JSON.stringify({ jsonrpc: "2.0", id, result }) + "\\n");
});
`;

type Field = {
  name: string; dbName?: string | null; kind: string; type: string; isRequired: boolean; isList: boolean;
  nativeType?: [string, string[]] | null; hasDefaultValue: boolean; default?: unknown;
  relationFromFields?: string[]; relationToFields?: string[]; relationOnDelete?: string; relationOnUpdate?: string;
};
type Model = { name: string; dbName: string | null; fields: Field[] };
type Index = { model: string; type: string; dbName?: string | null; fields: { name: string; sortOrder?: string }[] };
type Datamodel = { models: Model[]; indexes: Index[] };

async function loadDatamodel(): Promise<Datamodel> {
  const dir = await mkdtemp(path.join(tmpdir(), "mp-dmmf-"));
  try {
    const generator = path.join(dir, "dump.mjs");
    const out = path.join(dir, "datamodel.json");
    await writeFile(generator, DUMP_GENERATOR);
    const schema = await readFile(path.join(packageRoot(), "prisma", "schema.prisma"), "utf8");
    await writeFile(
      path.join(dir, "schema.prisma"),
      `${schema}\ngenerator dmmf_dump {\n  provider = ${JSON.stringify(`node ${generator}`)}\n  output = "./unused"\n}\n`,
    );
    const require = createRequire(import.meta.url);
    const cli = path.join(path.dirname(require.resolve("prisma/package.json")), "build", "index.js");
    execFileSync(process.execPath, [cli, "generate", "--schema", "schema.prisma", "--generator", "dmmf_dump"], {
      cwd: dir, // no prisma.config.ts here: only the copied schema counts
      env: { ...process.env, DMMF_OUT: out, PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false", CHECKPOINT_DISABLE: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    return JSON.parse(await readFile(out, "utf8")) as Datamodel;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const tableOf = (m: Model) => m.dbName ?? m.name;
const columnOf = (f: Field) => f.dbName ?? f.name;

function columnType(f: Field): string {
  const [native, args] = f.nativeType ?? [null, []];
  const key = native ? `${f.type}@${native}` : f.type;
  const types: Record<string, string> = {
    String: "text", "String@Uuid": "uuid", "String@Text": "text", Int: "integer", BigInt: "bigint",
    Boolean: "boolean", Json: "jsonb", Float: "double precision", DateTime: "timestamp without time zone(3)",
    "DateTime@Timestamptz": `timestamp with time zone(${args[0] ?? 6})`,
    "DateTime@Timestamp": `timestamp without time zone(${args[0] ?? 6})`,
    "DateTime@Date": "date",
  };
  if (!(key in types)) throw new Error(`${f.name}: type ${key} not mapped in this test yet`);
  return types[key];
}

/** column_default as Postgres reports it for what Prisma generates from the `@default`. */
function columnDefault(table: string, f: Field): string {
  const d = f.default as { name?: string; args?: unknown[] } | string | number | boolean | undefined;
  if (!f.hasDefaultValue || d === undefined) return "none";
  if (typeof d === "object" && d !== null) {
    if (d.name === "uuid" || d.name === "cuid" || d.name === "nanoid" || d.name === "ulid") return "none"; // client-side
    if (d.name === "now") return "CURRENT_TIMESTAMP";
    if (d.name === "autoincrement") return `nextval('${table}_${columnOf(f)}_seq'::regclass)`;
    // `dbgenerated()` without an expression marks a column the database generates (GENERATED ALWAYS AS … STORED).
    if (d.name === "dbgenerated") return d.args?.length ? String(d.args[0]) : "generated";
    throw new Error(`${f.name}: default ${JSON.stringify(d)} not mapped in this test yet`);
  }
  if (typeof d === "string") return `'${d.replaceAll("'", "''")}'::${columnType(f)}`;
  return String(d);
}

function expectedLines(dm: Datamodel): string[] {
  const lines: string[] = [];
  const models = new Map(dm.models.map((m) => [m.name, m]));
  for (const m of dm.models) {
    const table = tableOf(m);
    const col = (name: string) => columnOf(m.fields.find((f) => f.name === name)!);
    lines.push(`table ${table}`);
    for (const f of m.fields.filter((x) => x.kind === "scalar" || x.kind === "enum")) {
      const type = columnType(f) + (f.isList ? "[]" : "");
      lines.push(`column ${table}.${columnOf(f)} ${type} ${f.isRequired ? "NOT NULL" : "NULL"} default=${columnDefault(table, f)}`);
    }
    for (const f of m.fields.filter((x) => x.relationFromFields?.length)) {
      const target = models.get(f.type)!;
      const from = f.relationFromFields!.map(col);
      const to = f.relationToFields!.map((n) => columnOf(target.fields.find((x) => x.name === n)!));
      // Prisma's defaults: Restrict when the relation is required, SetNull when optional; updates cascade.
      const onDelete = f.relationOnDelete ?? (f.isRequired ? "Restrict" : "SetNull");
      const onUpdate = f.relationOnUpdate ?? "Cascade";
      lines.push(`fk ${table}_${from.join("_")}_fkey ${table}(${from}) -> ${tableOf(target)}(${to}) on delete ${onDelete} on update ${onUpdate}`);
    }
  }
  for (const idx of dm.indexes) {
    const m = models.get(idx.model)!;
    const cols = idx.fields.map((x) => columnOf(m.fields.find((f) => f.name === x.name)!));
    const suffix = { id: "pkey", unique: "key", normal: "idx" }[idx.type];
    if (!suffix) throw new Error(`index type ${idx.type} not mapped in this test yet`);
    const name = idx.dbName ?? (idx.type === "id" ? `${tableOf(m)}_pkey` : `${tableOf(m)}_${cols.join("_")}_${suffix}`);
    const sorted = idx.fields.map((x, i) => cols[i] + (x.sortOrder === "Desc" ? " DESC" : ""));
    const kind = { id: "PRIMARY KEY", unique: "UNIQUE", normal: "INDEX" }[idx.type];
    lines.push(`index ${name} ${kind} ON ${tableOf(m)} USING btree (${sorted.join(", ")})`);
  }
  return lines.sort();
}

const ACTIONS: Record<string, string> = { a: "NoAction", r: "Restrict", c: "Cascade", n: "SetNull", d: "SetDefault" };

async function actualLines(t: TestDatabase): Promise<string[]> {
  const q = async (sql: string) => (await t.db.pool.query(sql)).rows as Record<string, any>[];
  const lines: string[] = [];
  for (const r of await q(`SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_name <> '_prisma_migrations'`)) lines.push(`table ${r.table_name}`);
  for (const r of await q(`SELECT table_name, column_name, data_type, datetime_precision, is_nullable, column_default, is_generated
      FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> '_prisma_migrations'`)) {
    const type = r.data_type.startsWith("timestamp") ? `${r.data_type}(${r.datetime_precision})` : r.data_type;
    const nullable = r.is_nullable === "YES" ? "NULL" : "NOT NULL";
    const fallback = r.is_generated === "ALWAYS" ? "generated" : "none";
    lines.push(`column ${r.table_name}.${r.column_name} ${type} ${nullable} default=${r.column_default ?? fallback}`);
  }
  // Plain btree indexes render like the expected lines; anything else (expressions, predicates, other
  // methods or opclasses) renders as its full definition, which only the allow-list can match.
  for (const r of await q(`SELECT i.relname AS name, t.relname AS "table", x.indisprimary AS "primary",
        x.indisunique AS "unique", am.amname AS method, pg_get_indexdef(x.indexrelid) AS def,
        (x.indexprs IS NULL AND x.indpred IS NULL) AS plain,
        array(SELECT a.attname || CASE WHEN x.indoption[k.n - 1] & 1 = 1 THEN ' DESC' ELSE '' END
          FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n) JOIN pg_attribute a
          ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS cols
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      JOIN pg_am am ON am.oid = i.relam
      WHERE t.relnamespace = current_schema()::regnamespace AND t.relname <> '_prisma_migrations'`)) {
    const kind = r.primary ? "PRIMARY KEY" : r.unique ? "UNIQUE" : "INDEX";
    lines.push(r.plain && r.method === "btree" && !/ USING btree \(.*(COLLATE|_ops)/.test(r.def)
      ? `index ${r.name} ${kind} ON ${r.table} USING btree (${r.cols.join(", ")})`
      : `index ${r.name}: ${r.def}`);
  }
  for (const r of await q(`SELECT c.conname, c.contype, c.confdeltype, c.confupdtype, t.relname AS "table",
        f.relname AS target, pg_get_constraintdef(c.oid) AS def,
        array(SELECT attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a
          ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS cols,
        array(SELECT attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a
          ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS fcols
      FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid LEFT JOIN pg_class f ON f.oid = c.confrelid
      WHERE c.connamespace = current_schema()::regnamespace AND c.contype IN ('f', 'c', 'x', 't')
        AND t.relname <> '_prisma_migrations'`)) {
    lines.push(r.contype === "f"
      ? `fk ${r.conname} ${r.table}(${r.cols}) -> ${r.target}(${r.fcols}) on delete ${ACTIONS[r.confdeltype]} on update ${ACTIONS[r.confupdtype]}`
      : `constraint ${r.conname} on ${r.table}: ${r.def}`);
  }
  return lines.sort();
}

let t: TestDatabase;
let dm: Datamodel;
beforeAll(async () => {
  [t, dm] = await Promise.all([createTestDatabase({ max: 2 }), loadDatamodel()]);
}, 60_000);
afterAll(async () => t?.drop());

it("the migrated database has exactly the tables, columns, indexes and foreign keys of schema.prisma", async () => {
  const expected = expectedLines(dm);
  const actual = await actualLines(t);
  const missing = expected.filter((l) => !actual.includes(l));
  const unexpected = actual.filter((l) => !expected.includes(l) && !ALLOWED_EXTRAS.includes(l));
  // Diff by line: `missing` is in schema.prisma but not the database, `unexpected` the other way round.
  expect({ missing, unexpected }).toEqual({ missing: [], unexpected: [] });
  expect(dm.models.length).toBeGreaterThan(0);
});

it("every allow-listed extra exists exactly as listed", async () => {
  const actual = await actualLines(t);
  expect(ALLOWED_EXTRAS.filter((l) => !actual.includes(l))).toEqual([]);
});
