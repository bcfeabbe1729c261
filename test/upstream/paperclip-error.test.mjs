// lib/paperclip-error.mjs: PCnnn -> HTTP nnn with the JSON DETAIL parsed,
// PostgreSQL's own codes by the documented table; first on its own, then on
// real errors of the extension (every SPEC §5 code) as postgres.js, drizzle
// and upstream's own errorHandler see them.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { loadUpstream } from "./lib/upstream.mjs";
import { connectionUrl } from "./lib/pg.mjs";
import {
  databaseErrorMiddleware, findDatabaseError, httpStatusForSqlstate, isRetryableSqlstate,
  parseDetails, toAppError, toHttpError,
} from "./lib/paperclip-error.mjs";

class FakeHttpError extends Error {
  constructor(status, message, details) { super(message); this.status = status; this.details = details; }
}
const pgError = (code, message, detail, hint) =>
  Object.assign(new Error(message), { name: "PostgresError", severity: "ERROR", code, detail, hint });

describe("paperclip-error on its own", () => {
  test("every SPEC §5 code maps straight to its HTTP status", () => {
    for (const n of [400, 401, 403, 404, 409, 422]) {
      assert.equal(httpStatusForSqlstate(`PC${n}`), n);
      assert.equal(isRetryableSqlstate(`PC${n}`), false);
    }
    assert.equal(httpStatusForSqlstate("PC600"), 500, "outside 4xx/5xx");
    assert.equal(httpStatusForSqlstate("PC39X"), 500);
    assert.equal(httpStatusForSqlstate("PCX09"), 500);
  });

  test("PostgreSQL's own codes follow the table", () => {
    const table = { "40001": [503, true], "40P01": [503, true], "42501": [403, false], "55P03": [409, true],
      "57014": [503, true], "23505": [500, false], "XX000": [500, false], "22P02": [500, false] };
    for (const [code, [status, retryable]] of Object.entries(table)) {
      assert.equal(httpStatusForSqlstate(code), status, code);
      assert.equal(isRetryableSqlstate(code), retryable, code);
    }
    assert.equal(httpStatusForSqlstate(undefined), 500);
  });

  test("only a flat JSON object DETAIL becomes details", () => {
    assert.deepEqual(parseDetails('{"issueId": "x", "n": 1, "b": false, "z": null, "ids": ["a", "b"]}'),
      { issueId: "x", n: 1, b: false, z: null, ids: ["a", "b"] });
    assert.equal(parseDetails('{"nested": {"a": 1}}'), null);
    assert.equal(parseDetails('{"mixed": ["a", 1]}'), null);
    assert.equal(parseDetails('["a"]'), null);
    assert.equal(parseDetails("Key (id)=(1) already exists."), null);
    assert.equal(parseDetails("{not json"), null);
    assert.equal(parseDetails(undefined), null);
  });

  test("the database error is found inside wrappers (drizzle's cause)", () => {
    const inner = pgError("PC409", "Issue checkout conflict", '{"status": "todo"}');
    const wrapped = Object.assign(new Error("Failed query: select ..."), { cause: inner });
    assert.equal(findDatabaseError(wrapped), inner);
    assert.equal(findDatabaseError(new Error("plain")), null);
    const loop = new Error("loop");
    loop.cause = loop;
    assert.equal(findDatabaseError(loop), null);

    const app = toAppError(Object.assign(new Error("outer"), { cause: wrapped }));
    assert.deepEqual(app, {
      status: 409, sqlstate: "PC409", message: "Issue checkout conflict", detail: '{"status": "todo"}',
      details: { status: "todo" }, hint: null, retryable: false, isPaperclip: true, isDatabase: true,
    });
  });

  test("toHttpError builds upstream's HttpError, and leaves 500s to the error handler", () => {
    const e = toHttpError(pgError("PC404", "Issue not found"), FakeHttpError);
    assert.ok(e instanceof FakeHttpError);
    assert.equal(e.status, 404);
    assert.equal(e.message, "Issue not found");
    assert.equal(e.details, undefined);
    const busy = toHttpError(pgError("40P01", "deadlock detected", "Process 1 waits for ShareLock"), FakeHttpError);
    assert.equal(busy.status, 503);
    assert.deepEqual(busy.details, { sqlstate: "40P01", retryable: true });
    assert.equal(toHttpError(pgError("23505", "duplicate key value"), FakeHttpError), null);
    assert.equal(toHttpError(new Error("not a database error"), FakeHttpError), null);
    const lost = toAppError(Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" }));
    assert.equal(lost.status, 503);
    assert.equal(lost.retryable, true);
    assert.equal(toAppError("boom").status, 500);
  });
});

// ------------------------------------------------ real errors of the extension

const ids = {
  company: "000000e5-0000-4000-8000-0000000000c1",
  otherCompany: "000000e5-0000-4000-8000-0000000000c2",
  agentA: "000000e5-0000-4000-8000-0000000000a1",
  agentB: "000000e5-0000-4000-8000-0000000000b1",
  runA1: "000000e5-0000-4000-8000-000000000a01",
  runA2: "000000e5-0000-4000-8000-000000000a02",
  runB1: "000000e5-0000-4000-8000-000000000b01",
  issue1: "000000e5-0000-4000-8000-000000000101",
  issue2: "000000e5-0000-4000-8000-000000000102",
  blocker: "000000e5-0000-4000-8000-000000000199",
  missing: "000000e5-0000-4000-8000-00000000beef",
  member: "member@errors.test",
};

let up;
let admin;
let app;
let drizzleDb;
let appUrl;
const database = `pcup_errors_${process.pid}`;
const appRole = `pcup_errors_app_${process.pid}`;

before(async () => {
  up = await loadUpstream();
  const root = up.postgres(connectionUrl("postgres"), { max: 1, onnotice: () => {} });
  await root.unsafe(`CREATE DATABASE "${database}"`);
  const password = randomBytes(12).toString("hex");
  await root.unsafe(`CREATE ROLE "${appRole}" LOGIN PASSWORD '${password}'`);
  await root.end({ timeout: 5 });
  admin = up.postgres(connectionUrl(database), { max: 2, onnotice: () => {} });
  // The standalone extension (staged by run.sh): its tables live in schema paperclip.
  await admin.unsafe("CREATE EXTENSION paperclip_locks");
  await admin.unsafe(`GRANT paperclip_app TO "${appRole}"`);
  await admin`INSERT INTO paperclip.companies (id, name, issue_prefix)
              VALUES (${ids.company}, 'Errors Co', 'ERR'), (${ids.otherCompany}, 'Other Co', 'EOT')`;
  await admin`INSERT INTO paperclip.agents (id, company_id, name, status)
              VALUES (${ids.agentA}, ${ids.company}, 'Alpha', 'idle'), (${ids.agentB}, ${ids.company}, 'Beta', 'idle')`;
  await admin`INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status)
              VALUES (${ids.runA1}, ${ids.company}, ${ids.agentA}, 'running'),
                     (${ids.runA2}, ${ids.company}, ${ids.agentA}, 'running'),
                     (${ids.runB1}, ${ids.company}, ${ids.agentB}, 'running')`;
  await admin`INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, status, membership_role)
              VALUES (${ids.company}, 'user', ${ids.member}, 'active', 'member')`;
  await admin`INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, checkout_run_id, execution_run_id)
              VALUES (${ids.issue1}, ${ids.company}, 'held by B', 'in_progress', ${ids.agentB}, ${ids.runB1}, ${ids.runB1}),
                     (${ids.blocker}, ${ids.company}, 'blocker', 'cancelled', NULL, NULL, NULL),
                     (${ids.issue2}, ${ids.company}, 'blocked', 'todo', NULL, NULL, NULL)`;
  await admin`INSERT INTO paperclip.issue_relations (company_id, issue_id, related_issue_id)
              VALUES (${ids.company}, ${ids.blocker}, ${ids.issue2})`;
  appUrl = connectionUrl(database, { user: appRole, password });
  app = up.postgres(appUrl, { max: 4, onnotice: () => {} });
  drizzleDb = up.createDb(appUrl, { maxConnections: 2 });
});

after(async () => {
  await app?.end({ timeout: 5 });
  if (appUrl) await up.closeRegisteredClients(appUrl);
  await admin?.end({ timeout: 5 });
});

// Runs `statement` in one transaction of the application's connection after
// `actor` (SQL text) set the actor; resolves to the error thrown.
async function errorOf(actorSql, statement, params = []) {
  try {
    await app.begin(async (tx) => {
      if (actorSql) await tx.unsafe(actorSql);
      await tx.unsafe(statement, params);
    });
  } catch (err) {
    return err;
  }
  assert.fail(`no error from: ${statement}`);
}
const agent = (a, r) => `SELECT paperclip.set_actor_agent('${a}', ${r ? `'${r}'` : "NULL"})`;
const board = (u) => `SELECT paperclip.set_actor_board('${u}')`;

const cases = [
  { code: "PC400", status: 400, message: "Validation error", keys: ["field", "problem"],
    actor: agent(ids.agentA, ids.runA1),
    sql: "SELECT paperclip.checkout($1, $2, '{}'::text[], $3)", params: [ids.issue2, ids.agentA, ids.runA1] },
  { code: "PC401", status: 401, message: "Agent run id required",
    actor: agent(ids.agentA, null),
    sql: "SELECT paperclip.checkout($1, $2, '{todo}'::text[])", params: [ids.issue2, ids.agentA] },
  { code: "PC403", status: 403, message: "Board access required",
    actor: agent(ids.agentA, ids.runA1),
    sql: "SELECT paperclip.admin_force_release($1)", params: [ids.issue1] },
  { code: "PC404", status: 404, message: "Issue not found",
    actor: board(ids.member),
    sql: "SELECT paperclip.admin_force_release($1)", params: [ids.missing] },
  { code: "PC409", status: 409, message: "Issue checkout conflict",
    keys: ["assigneeAgentId", "checkoutRunId", "conflictReason", "executionRunId", "issueId", "status"],
    actor: agent(ids.agentA, ids.runA1),
    sql: "SELECT paperclip.checkout($1, $2, '{todo,in_progress}'::text[], $3)", params: [ids.issue1, ids.agentA, ids.runA1] },
  { code: "PC422", status: 422, message: "Issue is blocked by unresolved blockers",
    keys: ["unresolvedBlockerIssueIds"], array: ["unresolvedBlockerIssueIds", [ids.blocker]],
    actor: agent(ids.agentA, ids.runA1),
    sql: "SELECT paperclip.checkout($1, $2, '{todo}'::text[], $3)", params: [ids.issue2, ids.agentA, ids.runA1] },
];

describe("paperclip-error on the extension's real errors", () => {
  for (const c of cases) {
    test(`${c.code} -> ${c.status} ${c.message}`, async () => {
      const err = await errorOf(c.actor, c.sql, c.params);
      const e = toAppError(err);
      assert.equal(e.sqlstate, c.code, `${err.code}: ${err.message} ${err.detail ?? ""}`);
      assert.equal(e.status, c.status);
      assert.equal(e.message, c.message);
      assert.equal(e.isPaperclip, true);
      assert.equal(e.retryable, false);
      if (c.keys) assert.deepEqual(Object.keys(e.details).sort(), [...c.keys].sort());
      if (c.array) assert.deepEqual(e.details[c.array[0]], c.array[1]);
      if (c.code === "PC409") {
        assert.equal(e.details.issueId, ids.issue1);
        assert.equal(e.details.assigneeAgentId, ids.agentB);
        assert.equal(e.details.conflictReason, "assigned_to_other_agent");
      }
    });
  }

  test("through drizzle (createDb from @paperclipai/db) the same error is found", async () => {
    const err = await drizzleDb.transaction(async (tx) => {
      await tx.execute(agent(ids.agentA, ids.runA1));
      return tx.execute(`SELECT paperclip.checkout('${ids.issue1}', '${ids.agentA}', '{in_progress}'::text[], '${ids.runA1}')`);
    }).then(() => null, (e) => e);
    assert.ok(err, "the checkout conflicted");
    const e = toAppError(err);
    assert.equal(e.status, 409);
    assert.equal(e.message, "Issue checkout conflict");
    assert.equal(e.details.checkoutRunId, ids.runB1);
  });

  test("upstream's errorHandler answers the mapped error with status and {error, details}", async () => {
    const { express, errorHandler, HttpError } = up;
    const web = express();
    web.post("/checkout/:id", async (req, res, next) => {
      try {
        await app.begin(async (tx) => {
          await tx.unsafe(agent(ids.agentA, ids.runA1));
          await tx.unsafe("SELECT paperclip.checkout($1, $2, '{todo}'::text[], $3)", [req.params.id, ids.agentA, ids.runA1]);
        });
        res.json({ ok: true });
      } catch (err) {
        next(err);
      }
    });
    web.post("/boom", (_req, _res, next) => next(pgError("23505", "duplicate key value violates unique constraint")));
    web.use(databaseErrorMiddleware(HttpError));
    web.use(errorHandler);
    const server = await new Promise((resolve) => { const s = web.listen(0, "127.0.0.1", () => resolve(s)); });
    try {
      const base = `http://127.0.0.1:${server.address().port}`;
      const blocked = await fetch(`${base}/checkout/${ids.issue2}`, { method: "POST" });
      assert.equal(blocked.status, 422);
      assert.deepEqual(await blocked.json(), {
        error: "Issue is blocked by unresolved blockers",
        details: { unresolvedBlockerIssueIds: [ids.blocker] },
      });
      const missing = await fetch(`${base}/checkout/${ids.missing}`, { method: "POST" });
      assert.equal(missing.status, 404);
      assert.deepEqual(await missing.json(), { error: "Issue not found" });
      const boom = await fetch(`${base}/boom`, { method: "POST" });
      assert.equal(boom.status, 500, "an unmapped database error stays an internal error");
      assert.deepEqual(await boom.json(), { error: "Internal server error" });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("PostgreSQL's own errors: 42501, 55P03, 57014, 40P01, and a non-JSON DETAIL", async () => {
    const denied = toAppError(await errorOf(null, "SELECT * FROM pg_authid"));
    assert.deepEqual([denied.sqlstate, denied.status, denied.retryable], ["42501", 403, false]);

    // A row lock held by another session: NOWAIT and lock_timeout give 55P03.
    const holder = await admin.reserve();
    try {
      await holder`BEGIN`;
      await holder`SELECT 1 FROM paperclip.issues WHERE id = ${ids.issue1} FOR UPDATE`;
      const nowait = toAppError(await errorOf("SET LOCAL lock_timeout = '100ms'",
        "SELECT 1 FROM paperclip.issues WHERE id = $1 FOR UPDATE", [ids.issue1]));
      assert.deepEqual([nowait.sqlstate, nowait.status, nowait.retryable], ["55P03", 409, true]);
    } finally {
      await holder`ROLLBACK`;
      holder.release();
    }

    const slow = toAppError(await errorOf("SET LOCAL statement_timeout = '50ms'", "SELECT pg_sleep(2)"));
    assert.deepEqual([slow.sqlstate, slow.status, slow.retryable], ["57014", 503, true]);

    // A real deadlock: two sessions lock two rows in opposite orders.
    const s1 = await admin.reserve();
    const s2 = await admin.reserve();
    try {
      await s1`BEGIN`;
      await s2`BEGIN`;
      await s1`SELECT 1 FROM paperclip.companies WHERE id = ${ids.company} FOR UPDATE`;
      await s2`SELECT 1 FROM paperclip.companies WHERE id = ${ids.otherCompany} FOR UPDATE`;
      const results = await Promise.allSettled([
        s1`SELECT 1 FROM paperclip.companies WHERE id = ${ids.otherCompany} FOR UPDATE`,
        s2`SELECT 1 FROM paperclip.companies WHERE id = ${ids.company} FOR UPDATE`,
      ]);
      const failed = results.filter((r) => r.status === "rejected");
      assert.equal(failed.length, 1, "exactly one session is the deadlock victim");
      const victim = toAppError(failed[0].reason);
      assert.deepEqual([victim.sqlstate, victim.status, victim.retryable], ["40P01", 503, true]);
      assert.ok(victim.detail && victim.details === null, "PostgreSQL's prose DETAIL stays text");
    } finally {
      await s1`ROLLBACK`.catch(() => {});
      await s2`ROLLBACK`.catch(() => {});
      s1.release();
      s2.release();
    }

    let dupErr;
    try {
      await admin`INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (gen_random_uuid(), 'Dup', 'ERR')`;
    } catch (err) {
      dupErr = err;
    }
    const dup = toAppError(dupErr);
    assert.deepEqual([dup.sqlstate, dup.status, dup.retryable, dup.details], ["23505", 500, false, null]);
    assert.match(dup.detail, /^Key \(issue_prefix\)=\(ERR\) already exists\.$/);
  });
});
