// One throwaway database with upstream's real schema, a non-superuser login
// role for upstream's server code (the way a real installation connects),
// a superuser connection for fixtures and checks, the attach hook, and an
// Express app that mounts upstream's real issueRoutes and errorHandler behind
// a middleware that sets req.actor (as upstream's own route tests do).
import { randomBytes, randomUUID } from "node:crypto";
import { loadUpstream } from "./upstream.mjs";
import { connectionUrl, createUpstreamSchema } from "./pg.mjs";
import { databaseErrorMiddleware } from "./paperclip-error.mjs";

const quoteIdent = (s) => `"${String(s).replaceAll('"', '""')}"`;

// ============================ ATTACH HOOK =================================
// ATTACH_MODE unset or "none": plain upstream, no extension.
// ATTACH_MODE=compat|strict: CREATE EXTENSION paperclip_locks_attach and
// SELECT paperclip.attach('public', mode) before any fixture is written; in
// compat mode the server's role joins paperclip_trusted_app (SPEC §8) and the
// attachment names controller_lease_expires_at as its run lease column (§9).
// While the extension does not exist yet (issue 13 in progress) the hook
// reports `unavailable` and the suites skip with that reason. Once it ships,
// ATTACH_REQUIRED=1 (set by run.sh for every ATTACH_MODE run) turns a missing
// extension into a failure: the final suite must never skip.
export async function applyAttachMode(admin, { mode, appRole }) {
  if (!mode || mode === "none") return { mode: "none" };
  if (mode !== "compat" && mode !== "strict") {
    throw new Error(`ATTACH_MODE must be none, compat or strict, not ${JSON.stringify(mode)}`);
  }
  // pg_available_extensions does not look in Debian's extension_destdir
  // (where test/run_all.sh stages the build), so try the CREATE itself.
  try {
    await admin.unsafe("CREATE EXTENSION paperclip_locks_attach");
  } catch (err) {
    if (err.code !== "58P01" && err.code !== "0A000") throw err;
    const reason = `extension paperclip_locks_attach is not installed in this cluster (${err.code}: ${err.message})`;
    if (process.env.ATTACH_REQUIRED === "1") throw new Error(`ATTACH_MODE=${mode}: ${reason}`);
    return { mode, unavailable: reason };
  }
  // Compat mode attaches the way SPEC §9 suggests for upstream: with the
  // server's own run-controller lease as the run lease column, so every route
  // also runs with liveness reading it and the heartbeat_runs trigger that
  // keeps a death final.
  if (mode === "compat") {
    await admin`SELECT paperclip.attach('public', ${mode}, run_lease_column => 'controller_lease_expires_at')`;
  } else {
    await admin`SELECT paperclip.attach('public', ${mode})`;
  }
  if (mode === "compat") await admin.unsafe(`GRANT paperclip_trusted_app TO ${quoteIdent(appRole)}`);
  return { mode };
}
// ========================== END ATTACH HOOK ===============================

// `attachMode` overrides ATTACH_MODE for this database (a suite that needs
// one compat and one strict database opens two harnesses).
export async function openHarness(name, { attachMode = process.env.ATTACH_MODE } = {}) {
  const up = await loadUpstream();
  const dbName = `pcup_${name}_${process.pid}`;
  const schemaNote = createUpstreamSchema(dbName);
  const admin = up.postgres(connectionUrl(dbName), { max: 2, onnotice: () => {} });

  try {
    return await prepare(up, dbName, schemaNote, admin, attachMode);
  } catch (err) {
    await admin.end({ timeout: 5 });
    throw err;
  }
}

async function prepare(up, dbName, schemaNote, admin, attachMode) {
  const appRole = `pcup_app_${dbName.slice("pcup_".length)}`;
  const appPassword = randomBytes(12).toString("hex");
  await admin.unsafe(`DROP ROLE IF EXISTS ${quoteIdent(appRole)}`);
  await admin.unsafe(`CREATE ROLE ${quoteIdent(appRole)} LOGIN NOSUPERUSER PASSWORD '${appPassword}'`);
  await admin.unsafe(`GRANT CONNECT ON DATABASE ${quoteIdent(dbName)} TO ${quoteIdent(appRole)}`);
  await admin.unsafe(`GRANT USAGE ON SCHEMA public TO ${quoteIdent(appRole)}`);
  await admin.unsafe(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${quoteIdent(appRole)}`);
  await admin.unsafe(`GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${quoteIdent(appRole)}`);

  const attach = await applyAttachMode(admin, { mode: attachMode, appRole });
  const appUrl = connectionUrl(dbName, { user: appRole, password: appPassword });
  const db = up.createDb(appUrl, { maxConnections: 5, applicationName: "paperclip-upstream-harness" });

  function createApp(actor) {
    const app = up.express();
    app.use(up.express.json());
    app.use((req, _res, next) => {
      req.actor = actor;
      next();
    });
    app.use("/api", up.issueRoutes(db, {}));
    // The application's own error mapping (lib/paperclip-error.mjs): an
    // extension error PCnnn answers HTTP nnn instead of upstream's 500.
    app.use(databaseErrorMiddleware(up.HttpError));
    app.use(up.errorHandler);
    return app;
  }

  // One HTTP request through a fresh app for `actor`; resolves to
  // { status, body }.
  async function request(actor, method, path, body) {
    const app = createApp(actor);
    const server = await new Promise((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    try {
      const { port } = server.address();
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed = text;
      try { parsed = text.length ? JSON.parse(text) : null; } catch { /* keep text */ }
      return { status: res.status, body: parsed };
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  async function close() {
    await up.closeRegisteredClients(appUrl);
    // The role is cluster-wide; the database stays for inspection.
    await admin.unsafe(`DROP OWNED BY ${quoteIdent(appRole)}`);
    await admin.unsafe(`DROP ROLE ${quoteIdent(appRole)}`);
    await admin.end({ timeout: 5 });
  }

  return { up, dbName, schemaNote, admin, db, appRole, attach, createApp, request, close };
}

// Fixtures, written by the superuser connection (an operator in attach mode).
// `schemas`: where to write the same rows -- "public" (upstream's tables)
// and/or "paperclip" (the standalone extension's tables, same columns).
// `ids`: reuse the ids of an earlier call (the same rows in another database).
export async function seedCompanyAgentAndRuns(admin, { staleRunStatus = "failed", schemas = ["public"], ids } = {}) {
  const companyId = ids?.companyId ?? randomUUID();
  const agentId = ids?.agentId ?? randomUUID();
  const failedRunId = ids?.failedRunId ?? randomUUID();
  const currentRunId = ids?.currentRunId ?? randomUUID();
  const prefix = `H${companyId.replaceAll("-", "").slice(0, 8).toUpperCase()}`;
  for (const schema of schemas) {
    const t = (name) => admin(`${schema}.${name}`);
    await admin`INSERT INTO ${t("companies")} (id, name, issue_prefix, require_board_approval_for_new_agents)
                VALUES (${companyId}, 'Harness company', ${prefix}, false)`;
    await admin`INSERT INTO ${t("company_memberships")} (company_id, principal_type, principal_id, status, membership_role)
                VALUES (${companyId}, 'user', 'board-user', 'active', 'admin')`;
    await admin`INSERT INTO ${t("agents")} (id, company_id, name, role, status, adapter_type)
                VALUES (${agentId}, ${companyId}, 'CodexCoder', 'engineer', 'active', 'codex_local')`;
    await admin`INSERT INTO ${t("heartbeat_runs")} (id, company_id, agent_id, status, invocation_source, started_at, finished_at)
                VALUES (${failedRunId}, ${companyId}, ${agentId}, ${staleRunStatus}, 'manual', now() - interval '10 minutes', now() - interval '5 minutes'),
                       (${currentRunId}, ${companyId}, ${agentId}, 'running', 'manual', now(), NULL)`;
  }
  return { companyId, agentId, failedRunId, currentRunId };
}

export async function seedIssue(admin, fields, { schemas = ["public"] } = {}) {
  const id = fields.id ?? randomUUID();
  const f = {
    status: "in_progress", priority: "high", assignee_agent_id: null,
    checkout_run_id: null, execution_run_id: null, execution_agent_name_key: null,
    execution_locked_at: null, ...fields,
  };
  for (const schema of schemas) {
    await admin`INSERT INTO ${admin(`${schema}.issues`)} (id, company_id, title, status, priority, assignee_agent_id,
                  checkout_run_id, execution_run_id, execution_agent_name_key, execution_locked_at)
                VALUES (${id}, ${f.company_id}, ${f.title}, ${f.status}, ${f.priority}, ${f.assignee_agent_id},
                  ${f.checkout_run_id}, ${f.execution_run_id}, ${f.execution_agent_name_key}, ${f.execution_locked_at})`;
  }
  return id;
}

export async function issueRow(admin, id, schema = "public") {
  const rows = await admin`SELECT title, status, assignee_agent_id, assignee_user_id, checkout_run_id,
                                  execution_run_id, execution_agent_name_key, execution_locked_at
                           FROM ${admin(`${schema}.issues`)} WHERE id = ${id}`;
  return rows[0] ? { ...rows[0] } : null;
}

// The run an agent works under names the issue it was started for
// (heartbeat_runs.context_snapshot.issueId). Upstream 2026.916.1 refuses an
// agent's issue write whose run has no source issue (403
// cross_issue_influence_run_context_required) and counts writes to other
// issues against a per-run cap.
export async function setRunContextIssue(admin, runId, issueId) {
  await admin`UPDATE heartbeat_runs SET context_snapshot = jsonb_build_object('issueId', ${issueId}::text)
              WHERE id = ${runId}`;
}

export function agentActor(companyId, agentId, runId) {
  return { type: "agent", agentId, companyId, runId, source: "agent_jwt" };
}

export function boardActor(companyId, userId = "board-user") {
  return {
    type: "board",
    userId,
    companyIds: [companyId],
    memberships: [{ companyId, membershipRole: "admin", status: "active" }],
    isInstanceAdmin: false,
    source: "session",
  };
}

export function outsideBoardActor(userId = "outside-user") {
  return { type: "board", userId, companyIds: [], memberships: [], isInstanceAdmin: false, source: "session" };
}
