// The upstream schema the other suites stand on: create-schema.sh must give
// exactly what upstream's own migrator gives, and the facts test/upstream/
// README.md states about the eight tables of SPEC §1 must hold.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { loadUpstream } from "./lib/upstream.mjs";
import { connectionUrl, createUpstreamSchema } from "./lib/pg.mjs";

const ours = `pcup_schema_${process.pid}`;
const theirs = `pcup_migrator_${process.pid}`;
let up;
let sql;
before(async () => {
  up = await loadUpstream();
  createUpstreamSchema(ours);
  sql = up.postgres(connectionUrl(ours), { max: 1, onnotice: () => {} });
});
after(async () => { await sql?.end({ timeout: 5 }); });

function schemaDump(database) {
  const r = spawnSync("pg_dump", ["--schema-only", "--no-owner", "--no-privileges", database], {
    encoding: "utf8", maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr);
  // \restrict / \unrestrict carry a random key per dump (PostgreSQL 15.14+).
  return r.stdout.split("\n").filter((line) => !/^\\(un)?restrict /.test(line)).join("\n");
}

describe("upstream schema from @paperclipai/db 2026.916.1", () => {
  test("upstream's inspectMigrations sees every migration applied", async () => {
    const state = await up.inspectMigrations(connectionUrl(ours));
    assert.equal(state.status, "upToDate", JSON.stringify(state.pendingMigrations ?? []));
    assert.equal(state.availableMigrations.length, 278);
    assert.equal(state.appliedMigrations.length, 278);
    assert.equal(state.tableCount, 210);
  });

  test("create-schema.sh gives the same schema as upstream's own migrator", async () => {
    await sql.unsafe(`CREATE DATABASE "${theirs}" TEMPLATE template0 ENCODING 'UTF8'`);
    const db = await import("./node_modules/@paperclipai/db/dist/client.js");
    await db.applyPendingMigrations(connectionUrl(theirs));
    const a = schemaDump(ours);
    const b = schemaDump(theirs);
    assert.ok(a.length > 100000, "the dump holds the whole schema");
    if (process.env.SCHEMA_DUMP_DIR) {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(`${process.env.SCHEMA_DUMP_DIR}/ours.sql`, a);
      writeFileSync(`${process.env.SCHEMA_DUMP_DIR}/theirs.sql`, b);
    }
    assert.ok(a === b, "pg_dump --schema-only differs between create-schema.sh and applyPendingMigrations");
    const journal = async (database) => {
      const c = up.postgres(connectionUrl(database), { max: 1 });
      try {
        return (await c`SELECT hash, created_at::text FROM drizzle.__drizzle_migrations ORDER BY id`).map((r) => ({ ...r }));
      } finally { await c.end({ timeout: 5 }); }
    };
    assert.deepEqual(await journal(ours), await journal(theirs));
    await sql.unsafe(`DROP DATABASE "${theirs}"`);
  });

  test("every column SPEC §1 relies on exists with the SPEC's type", async () => {
    const expected = {
      companies: { id: "uuid", name: "text", issue_prefix: "text", status: "text",
        require_board_approval_for_new_agents: "boolean", created_at: "timestamp with time zone",
        updated_at: "timestamp with time zone" },
      company_memberships: { id: "uuid", company_id: "uuid", principal_type: "text", principal_id: "text",
        status: "text", membership_role: "text" },
      agents: { id: "uuid", company_id: "uuid", name: "text", role: "text", status: "text", adapter_type: "text",
        adapter_config: "jsonb", runtime_config: "jsonb", permissions: "jsonb", reports_to: "uuid",
        created_at: "timestamp with time zone", updated_at: "timestamp with time zone" },
      heartbeat_runs: { id: "uuid", company_id: "uuid", agent_id: "uuid", status: "text", invocation_source: "text",
        started_at: "timestamp with time zone", finished_at: "timestamp with time zone", error: "text",
        error_code: "text", created_at: "timestamp with time zone", updated_at: "timestamp with time zone",
        controller_lease_expires_at: "timestamp with time zone" },
      issues: { id: "uuid", company_id: "uuid", title: "text", description: "text", status: "text", priority: "text",
        assignee_agent_id: "uuid", assignee_user_id: "text", checkout_run_id: "uuid", execution_run_id: "uuid",
        execution_agent_name_key: "text", execution_locked_at: "timestamp with time zone",
        started_at: "timestamp with time zone", completed_at: "timestamp with time zone",
        cancelled_at: "timestamp with time zone", created_at: "timestamp with time zone",
        updated_at: "timestamp with time zone" },
      issue_relations: { id: "uuid", company_id: "uuid", issue_id: "uuid", related_issue_id: "uuid", type: "text" },
      issue_comments: { id: "uuid", company_id: "uuid", issue_id: "uuid", author_agent_id: "uuid",
        author_user_id: "text", body: "text", created_at: "timestamp with time zone",
        updated_at: "timestamp with time zone" },
      activity_log: { id: "uuid", company_id: "uuid", actor_type: "text", actor_id: "text", action: "text",
        entity_type: "text", entity_id: "text", agent_id: "uuid", run_id: "uuid", details: "jsonb",
        created_at: "timestamp with time zone" },
    };
    const rows = await sql`SELECT table_name, column_name, data_type FROM information_schema.columns
                           WHERE table_schema = 'public' AND table_name IN ${sql(Object.keys(expected))}`;
    const actual = {};
    for (const r of rows) (actual[r.table_name] ??= {})[r.column_name] = r.data_type;
    for (const [table, columns] of Object.entries(expected)) {
      for (const [column, type] of Object.entries(columns)) {
        assert.equal(actual[table]?.[column], type, `${table}.${column}`);
      }
    }
    // heartbeat_runs.status is plain text with no CHECK: unknown statuses are stored.
    const checks = await sql`SELECT conname FROM pg_constraint
                             WHERE conrelid = 'public.heartbeat_runs'::regclass AND contype = 'c'`;
    assert.deepEqual(checks.map((r) => r.conname), []);
  });

  test("foreign keys: the lock columns SET NULL, the others as README says", async () => {
    const rows = await sql`
      SELECT c.conrelid::regclass::text AS tbl, a.attname AS col, c.confrelid::regclass::text AS ref,
             c.confdeltype AS on_delete
      FROM pg_constraint c
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'f' AND cardinality(c.conkey) = 1
        AND c.conrelid::regclass::text IN ('issues', 'issue_comments', 'issue_relations', 'activity_log', 'heartbeat_runs')`;
    const fk = Object.fromEntries(rows.map((r) => [`${r.tbl}.${r.col}`, `${r.ref} ${r.on_delete}`]));
    // confdeltype: a = no action, c = cascade, n = set null
    assert.equal(fk["issues.checkout_run_id"], "heartbeat_runs n");
    assert.equal(fk["issues.execution_run_id"], "heartbeat_runs n");
    assert.equal(fk["issues.assignee_agent_id"], "agents a");
    assert.equal(fk["issue_comments.issue_id"], "issues c");
    assert.equal(fk["issue_relations.issue_id"], "issues c");
    assert.equal(fk["issue_relations.related_issue_id"], "issues c");
    assert.equal(fk["activity_log.agent_id"], "agents a");
    assert.equal(fk["activity_log.run_id"], "heartbeat_runs a");
    assert.equal(fk["heartbeat_runs.agent_id"], "agents a");
    assert.equal(fk["activity_log.entity_id"], undefined);
  });

  test("no index on issues leads with checkout_run_id or execution_run_id", async () => {
    const rows = await sql`
      SELECT i.indexrelid::regclass::text AS name, a.attname AS first_column
      FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
      WHERE i.indrelid = 'public.issues'::regclass`;
    assert.ok(rows.length > 10, "issues has its indexes");
    assert.deepEqual(rows.filter((r) => ["checkout_run_id", "execution_run_id"].includes(r.first_column)), []);
    const mentions = await sql`
      SELECT indexrelid::regclass::text AS name FROM pg_index
      WHERE indrelid = 'public.issues'::regclass
        AND pg_get_indexdef(indexrelid) ~ '(checkout_run_id|execution_run_id)'`;
    assert.deepEqual(mentions.map((r) => r.name), ["issues_open_routine_execution_uq"]);
  });
});
