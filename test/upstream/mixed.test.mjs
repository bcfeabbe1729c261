// Mixed concurrency (issue 14, item 4): upstream Paperclip's real issue
// service (services/issues.js of @paperclipai/server 2026.916.1) on several
// connections of the server's role, and the extension's SQL functions from
// another client (agent and board actors), on the same few hot issues of
// upstream's schema attached in compat mode (the server's role is a member of
// paperclip_trusted_app), for MIXED_SECONDS (default 60; 10 when
// STRESS_SECONDS=0, the quick development run; 600 for the long run of
// test/README.md). A server-side loop ends runs and starts new ones the way
// the heartbeat service does (plain UPDATE / INSERT, no actor), which fires
// the run-terminal trigger (attached with release_on_run_end => true), and
// an operator sweeps stale locks every 2 s.
//
// Afterwards the stress invariants of test/stress (their SQL, on schema
// public) and the outcome classes: any 40P01 that involves the extension (a
// function, the sweep, or a statement firing its run-terminal trigger; a
// deadlock among upstream's own service statements is counted and printed,
// see upstreamOwnDeadlock), any XX000, any error of the
// extension's functions that is not a PC4xx answer, any database error
// upstream's service meets (its own answers are HttpErrors), or a lost
// connection fails the suite. Outcome counts per class are printed.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { loadUpstream } from "./lib/upstream.mjs";
import { connectionUrl, createUpstreamSchema } from "./lib/pg.mjs";
import { loadIssueService } from "./lib/oracle.mjs";
import { findDatabaseError } from "./lib/paperclip-error.mjs";

const seconds = Number(process.env.MIXED_SECONDS ?? (process.env.STRESS_SECONDS === "0" ? 10 : 60));
const UPSTREAM_WORKERS = Number(process.env.MIXED_UPSTREAM_WORKERS ?? 4);
const EXTENSION_WORKERS = Number(process.env.MIXED_EXTENSION_WORKERS ?? 3);
const HOT_ISSUES = 4;
const AGENTS = 3;
const TERMINAL = ["succeeded", "failed", "cancelled", "timed_out"];
const database = `pcup_mixed_${process.pid}`;
const quote = (s) => `"${String(s).replaceAll('"', '""')}"`;

let up;
let admin;      // the cluster superuser: fixtures, the sweep (an operator), the checks
let server;     // the server's role, no actor: the heartbeat service's run writes
let ext;        // the extension's client (agent and board actors)
let svc;        // upstream's issue service on the server's role
let appUrl;
const roles = [];

const company = randomUUID();
const board = "mixed-board-admin";
const agents = Array.from({ length: AGENTS }, (_, i) => ({ id: randomUUID(), name: `Mixed Agent ${i + 1}`, runs: [] }));
const issues = Array.from({ length: HOT_ISSUES }, () => randomUUID());
const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];

// What happened: counts per class, the errors that fail the suite, and
// what the extension's calls acknowledged (for the audit checks).
const counts = new Map();
const failures = [];
// 40P01 by the side that got it; upstreamOwn: every participant was a
// statement of upstream's service (see upstreamOwnDeadlock).
const deadlocks = { upstream: 0, extension: 0 };
let upstreamOwnDeadlocks = 0;
const upstreamOwnSamples = [];
const acked = { checkout: 0, release: 0, force: 0, adopted: 0, clearExecution: 0, clearCheckout: 0, swept: 0 };
const count = (key) => counts.set(key, (counts.get(key) ?? 0) + 1);
let liveChecks = 0;
const liveViolations = [];

// Upstream's service deadlocks with itself: its checkout's autocommit UPDATE
// holds the issue row and its foreign-key check waits for FOR KEY SHARE on the
// run row, while adoptUnownedCheckoutRun holds that run row FOR UPDATE and
// waits for the issue (and adoptStaleCheckoutRun takes run rows unsorted).
// Such a deadlock is upstream's own when no process of the cycle the DETAIL
// lists waits for something one of our connections (the extension's client,
// the operator's sweep and checks, the run cycle whose status UPDATE fires
// the run-terminal trigger; every backend pid they used is recorded) holds,
// except a place in a row's queue: "waits for ExclusiveLock on tuple ...;
// blocked by <ours>" means ours is itself waiting for that row (PostgreSQL
// queues row waiters on a heavyweight tuple lock). Without ours in the queue
// the waiter would wait for the row's holder directly and the cycle would
// close among upstream's statements alone; the detector may still pick the
// queued function as the victim ("bystander").
const ourPids = new Set();
function upstreamOwnDeadlock(db) {
  const edges = [...String(db?.detail ?? "").matchAll(/Process (\d+) waits for (.*?); blocked by process (\d+)\./g)]
    .map((m) => ({ waiter: Number(m[1]), what: m[2], holder: Number(m[3]) }));
  return edges.length >= 2 && edges.every((e) => !ourPids.has(e.holder) || /^ExclusiveLock on tuple /.test(e.what));
}
async function recordPid(sql) {
  const [{ pid }] = await sql`SELECT pg_backend_pid() AS pid`;
  ourPids.add(pid);
}

function classify(side, op, err) {
  const db = findDatabaseError(err);
  const code = db?.code ?? err?.code;
  if (code === "40P01" && upstreamOwnDeadlock(db)) {
    count(`${side} ${op}: 40P01 (${side === "upstream" ? "upstream's own lock orders" : "bystander in upstream's own deadlock"})`);
    upstreamOwnDeadlocks++;
    if (upstreamOwnSamples.length < 3) upstreamOwnSamples.push(db.detail);
    return;
  }
  if (side === "upstream" && typeof err?.status === "number" && !db) {
    count(`upstream ${op}: HTTP ${err.status}`);   // upstream's own answer (HttpError)
    return;
  }
  const key = `${side} ${op}: ${code ?? err?.name ?? "error"}`;
  count(key);
  if (code === "40P01") deadlocks[side]++;
  const expected = side === "extension" && /^PC4\d\d$/.test(code ?? "");
  if (!expected && failures.length < 50) failures.push(`${key}: ${err?.message}${db?.detail ? ` (${db.detail})` : ""}`);
  else if (!expected) failures.length++;
}

function currentRun(agent) { return agent.runs[agent.runs.length - 1]; }
// Mostly the agent's current run; sometimes an older (by now terminal) one.
function actingRun(agent) {
  return agent.runs.length > 1 && Math.random() < 0.15 ? pick(agent.runs.slice(-4, -1)) : currentRun(agent);
}

before(async () => {
  up = await loadUpstream();
  createUpstreamSchema(database);
  admin = up.postgres(connectionUrl(database), { max: 3, onnotice: () => {}, connection: { application_name: "mixed-check" } });
  await admin.unsafe("CREATE EXTENSION paperclip_locks_attach");
  await admin`SELECT paperclip.attach('public', 'compat', true)`;

  // The server's role (a trusted app) and the extension client's role.
  const appRole = `pcup_mixed_app_${process.pid}`;
  const extRole = `pcup_mixed_ext_${process.pid}`;
  const password = randomBytes(12).toString("hex");
  for (const role of [appRole, extRole]) {
    await admin.unsafe(`DROP ROLE IF EXISTS ${quote(role)}`);
    await admin.unsafe(`CREATE ROLE ${quote(role)} LOGIN NOSUPERUSER PASSWORD '${password}'`);
    await admin.unsafe(`GRANT CONNECT ON DATABASE ${quote(database)} TO ${quote(role)}`);
    roles.push(role);
  }
  await admin.unsafe(`GRANT USAGE ON SCHEMA public TO ${quote(appRole)}`);
  await admin.unsafe(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${quote(appRole)}`);
  await admin.unsafe(`GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${quote(appRole)}`);
  await admin.unsafe(`GRANT paperclip_trusted_app TO ${quote(appRole)}`);
  await admin.unsafe(`GRANT paperclip_app TO ${quote(extRole)}`);

  await admin`INSERT INTO companies (id, name, issue_prefix) VALUES (${company}, 'Mixed Co', 'MIX')`;
  await admin`INSERT INTO company_memberships (company_id, principal_type, principal_id, status, membership_role)
              VALUES (${company}, 'user', ${board}, 'active', 'admin')`;
  for (const a of agents) {
    await admin`INSERT INTO agents (id, company_id, name, status) VALUES (${a.id}, ${company}, ${a.name}, 'active')`;
    const run = randomUUID();
    await admin`INSERT INTO heartbeat_runs (id, company_id, agent_id, status, started_at)
                VALUES (${run}, ${company}, ${a.id}, 'running', now())`;
    a.runs.push(run);
  }
  for (const [i, id] of issues.entries()) {
    await admin`INSERT INTO issues (id, company_id, title, status) VALUES (${id}, ${company}, ${`hot issue ${i + 1}`}, 'todo')`;
  }

  appUrl = connectionUrl(database, { user: appRole, password });
  server = up.postgres(appUrl, { max: 1, onnotice: () => {}, connection: { application_name: "mixed-upstream" } });
  ext = up.postgres(connectionUrl(database, { user: extRole, password }),
    { max: EXTENSION_WORKERS + 1, onnotice: () => {}, connection: { application_name: "mixed-extension" } });
  svc = await loadIssueService(up.createDb(appUrl, { maxConnections: UPSTREAM_WORKERS, applicationName: "mixed-upstream" }));

  await runWorkload();
}, { timeout: (seconds + 300) * 1000 });

after(async () => {
  if (up && appUrl) await up.closeRegisteredClients(appUrl);
  await server?.end({ timeout: 5 });
  await ext?.end({ timeout: 5 });
  if (admin) {
    for (const role of roles) {
      await admin.unsafe(`DROP OWNED BY ${quote(role)}`).catch(() => {});
      await admin.unsafe(`DROP ROLE IF EXISTS ${quote(role)}`).catch(() => {});
    }
    await admin.end({ timeout: 5 });
  }
});

// ------------------------------------------------------------ the workload

async function upstreamOp() {
  const issue = pick(issues);
  const agent = pick(agents);
  const run = actingRun(agent);
  const op = pick(["checkout", "checkout", "checkout", "release", "release", "assertCheckoutOwner",
    "assertCheckoutOwner", "clearExecutionRunIfTerminal", "clearCheckoutRunIfTerminal", "adminForceRelease"]);
  try {
    switch (op) {
      case "checkout": await svc.checkout(issue, agent.id, ["todo", "backlog", "in_progress"], run); break;
      case "release": await svc.release(issue, agent.id, run); break;
      case "assertCheckoutOwner": await svc.assertCheckoutOwner(issue, agent.id, run); break;
      case "clearExecutionRunIfTerminal": await svc.clearExecutionRunIfTerminal(issue); break;
      case "clearCheckoutRunIfTerminal": await svc.clearCheckoutRunIfTerminal(issue); break;
      case "adminForceRelease": await svc.adminForceRelease(issue, { clearAssignee: Math.random() < 0.5 }); break;
    }
    count(`upstream ${op}: ok`);
  } catch (err) {
    classify("upstream", op, err);
  }
}

async function extensionOp() {
  const issue = pick(issues);
  const agent = pick(agents);
  const run = actingRun(agent);
  const op = pick(["checkout", "checkout", "checkout", "release", "release", "assert_checkout_owner",
    "assert_checkout_owner", "clear_execution_run_if_terminal", "clear_checkout_run_if_terminal", "admin_force_release"]);
  try {
    const result = await ext.begin(async (tx) => {
      await recordPid(tx);
      if (op === "admin_force_release") {
        await tx`SELECT paperclip.set_actor_board(${board})`;
        return tx`SELECT previous_checkout_run_id FROM paperclip.admin_force_release(${issue}, ${Math.random() < 0.5})`;
      }
      if (op.startsWith("clear_")) {
        await tx`SELECT paperclip.set_actor_board(${board})`;
        return tx.unsafe(`SELECT paperclip.${op}($1) AS cleared`, [issue]);
      }
      await tx`SELECT paperclip.set_actor_agent(${agent.id}, ${run})`;
      if (op === "checkout") return tx`SELECT id FROM paperclip.checkout(${issue}, ${agent.id}, ${["todo", "backlog", "in_progress"]}::text[], ${run})`;
      if (op === "release") return tx`SELECT id FROM paperclip.release(${issue}, ${agent.id}, ${run})`;
      return tx`SELECT adopted_from_run_id FROM paperclip.assert_checkout_owner(${issue}, ${agent.id}, ${run})`;
    });
    count(`extension ${op}: ok`);
    if (op === "checkout") acked.checkout++;
    if (op === "release") acked.release++;
    if (op === "admin_force_release") acked.force++;
    if (op === "assert_checkout_owner" && result[0]?.adopted_from_run_id) acked.adopted++;
    if (op === "clear_execution_run_if_terminal" && result[0]?.cleared) acked.clearExecution++;
    if (op === "clear_checkout_run_if_terminal" && result[0]?.cleared) acked.clearCheckout++;
  } catch (err) {
    classify("extension", op, err);
  }
}

// The heartbeat service's part: a run ends (the run-terminal trigger fires),
// and the agent gets a new one.
async function runCycle() {
  const agent = pick(agents);
  const old = currentRun(agent);
  const next = randomUUID();
  try {
    await recordPid(server);
    await server`UPDATE heartbeat_runs SET status = ${pick(TERMINAL)}, finished_at = now(), updated_at = now() WHERE id = ${old}`;
    await server`INSERT INTO heartbeat_runs (id, company_id, agent_id, status, started_at)
                 VALUES (${next}, ${company}, ${agent.id}, 'running', now())`;
    agent.runs.push(next);
    count("upstream run cycle: ok");
  } catch (err) {
    classify("upstream", "run cycle", err);
  }
}

async function sweep() {
  try {
    const [{ n }] = await admin.begin(async (tx) => {
      await recordPid(tx);
      return tx`SELECT paperclip.sweep_stale_locks(1000) AS n`;
    });
    acked.swept += Number(n);
    count("extension sweep_stale_locks: ok");
  } catch (err) {
    classify("extension", "sweep_stale_locks", err);
  }
}

// A live check, in one REPEATABLE READ snapshot: single holder and the
// execution columns (the two invariants that must hold at every instant).
async function liveCheck() {
  await admin.begin("ISOLATION LEVEL REPEATABLE READ", async (tx) => {
    await recordPid(tx);
    liveViolations.push(...(await singleHolder(tx)), ...(await executionColumns(tx)));
  });
  liveChecks++;
}

async function runWorkload() {
  const deadline = Date.now() + seconds * 1000;
  const loop = async (fn, pauseMs) => {
    while (Date.now() < deadline) {
      await fn();
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  await Promise.all([
    ...Array.from({ length: UPSTREAM_WORKERS }, () => loop(upstreamOp, 0)),
    ...Array.from({ length: EXTENSION_WORKERS }, () => loop(extensionOp, 0)),
    loop(runCycle, 250),
    loop(sweep, 2000),
    loop(liveCheck, 3000),
  ]);
  const lines = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `  ${String(n).padStart(7)}  ${k}`);
  const summary = [`mixed: ${seconds} s, ${UPSTREAM_WORKERS} upstream service workers, ${EXTENSION_WORKERS} extension workers, ` +
    `${HOT_ISSUES} hot issues, ${AGENTS} agents, ${agents.reduce((n, a) => n + a.runs.length, 0)} runs`,
  ...lines,
  `  deadlocks (40P01) involving the extension: upstream side ${deadlocks.upstream}, extension side ${deadlocks.extension}`,
  `  deadlocks (40P01) among upstream's own statements (a queued function may be the victim): ${upstreamOwnDeadlocks}`,
  ...upstreamOwnSamples.map((d) => `    e.g. ${d.replaceAll("\n", "\n         ")}`),
  `  live checks: ${liveChecks}`];
  console.error(summary.join("\n"));
}

// ------------------------------------------------------------ the invariants (test/stress's SQL, schema public)

async function singleHolder(sql) {
  const rows = await sql`
    SELECT i.id FROM public.issues i
    JOIN public.heartbeat_runs cr ON cr.id = i.checkout_run_id
    JOIN public.heartbeat_runs er ON er.id = i.execution_run_id
    WHERE i.checkout_run_id <> i.execution_run_id
      AND NOT paperclip.run_status_is_terminal(cr.status) AND NOT paperclip.run_status_is_terminal(er.status)
    UNION ALL
    SELECT i.id FROM public.issues i
    WHERE (i.checkout_run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM public.heartbeat_runs r WHERE r.id = i.checkout_run_id))
       OR (i.execution_run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM public.heartbeat_runs r WHERE r.id = i.execution_run_id))`;
  return rows.map((r) => `single_holder: issue ${r.id}`);
}

async function executionColumns(sql) {
  const rows = await sql`SELECT id FROM public.issues WHERE execution_run_id IS NULL
                         AND (execution_agent_name_key IS NOT NULL OR execution_locked_at IS NOT NULL)`;
  return rows.map((r) => `execution_columns_consistent: issue ${r.id}`);
}

test("mixed: the workload ran (every side committed, checkouts collided)", () => {
  for (const key of ["upstream checkout: ok", "upstream release: ok", "upstream assertCheckoutOwner: ok",
    "upstream run cycle: ok", "extension checkout: ok", "extension release: ok", "extension sweep_stale_locks: ok"]) {
    assert.ok((counts.get(key) ?? 0) > 0, `nothing counted as "${key}"`);
  }
  assert.ok((counts.get("extension checkout: PC409") ?? 0) > 0 || (counts.get("upstream checkout: HTTP 409") ?? 0) > 0,
    "no checkout conflict: the hot issues never collided");
  assert.ok(liveChecks > 0, "the live checker never ran");
});

test("mixed: no deadlock (40P01) involving the extension, on either side", () => {
  assert.deepEqual(deadlocks, { upstream: 0, extension: 0 });
});

test("mixed: no XX000, no lost connection, no error outside the expected classes", () => {
  assert.deepEqual(failures, []);
});

test("mixed: single_holder and execution_columns_consistent at every live check", () => {
  assert.deepEqual(liveViolations, []);
});

test("mixed: single_holder (no two live holders, no lock naming a missing run)", async () => {
  assert.deepEqual(await singleHolder(admin), []);
});

test("mixed: lock_agent_is_assignee (an in_progress assigned issue's locks name the assignee's runs)", async () => {
  const rows = await admin`
    SELECT i.id, r.id AS run FROM public.issues i
    JOIN public.heartbeat_runs r ON r.id IN (i.checkout_run_id, i.execution_run_id)
    WHERE i.status = 'in_progress' AND i.assignee_agent_id IS NOT NULL AND r.agent_id <> i.assignee_agent_id`;
  assert.deepEqual(rows.map((r) => ({ ...r })), []);
});

test("mixed: execution_columns_consistent", async () => {
  assert.deepEqual(await executionColumns(admin), []);
});

test("mixed: audit rows for every acknowledged checkout, release, force-release, adoption and clear", async () => {
  const [a] = await admin`
    SELECT count(*) FILTER (WHERE action = 'issue.checked_out' AND actor_type = 'agent') AS checkout,
           count(*) FILTER (WHERE action = 'issue.released' AND actor_type = 'agent') AS release,
           count(*) FILTER (WHERE action = 'issue.admin_force_release' AND actor_id = ${board}) AS force,
           count(*) FILTER (WHERE action = 'issue.checkout_lock_adopted' AND actor_type = 'agent') AS adopted,
           count(DISTINCT entity_id || created_at::text) FILTER (WHERE action = 'issue.stale_lock_cleared'
             AND details->>'source' = 'clear_execution_run_if_terminal') AS clear_execution,
           count(DISTINCT entity_id || created_at::text) FILTER (WHERE action = 'issue.stale_lock_cleared'
             AND details->>'source' = 'clear_checkout_run_if_terminal') AS clear_checkout,
           count(DISTINCT entity_id || created_at::text) FILTER (WHERE action = 'issue.stale_lock_cleared'
             AND details->>'source' = 'sweep') AS swept
    FROM public.activity_log`;
  const got = Object.fromEntries(Object.entries(a).map(([k, v]) => [k, Number(v)]));
  console.error(`  audit rows ${JSON.stringify(got)}; acknowledged ${JSON.stringify(acked)}`);
  // Only the extension writes audit rows (upstream's routes log, its services
  // do not): exactly one per acknowledged checkout, release and
  // force-release (a call that failed left none); at least one per reported
  // adoption and per clear.
  assert.equal(got.checkout, acked.checkout, "issue.checked_out rows vs acknowledged checkouts");
  assert.equal(got.release, acked.release, "issue.released rows vs acknowledged releases");
  assert.equal(got.force, acked.force, "issue.admin_force_release rows vs acknowledged force-releases");
  assert.ok(got.adopted >= acked.adopted, `issue.checkout_lock_adopted rows ${got.adopted} < reported adoptions ${acked.adopted}`);
  assert.ok(got.clear_execution >= acked.clearExecution, "clear_execution_run_if_terminal audit rows missing");
  assert.ok(got.clear_checkout >= acked.clearCheckout, "clear_checkout_run_if_terminal audit rows missing");
  assert.ok(got.swept >= (acked.swept > 0 ? 1 : 0), "sweep audit rows missing");
});

test("mixed: with nothing running, the sweep drains every sweepable stale lock", async () => {
  for (;;) {
    const [{ n }] = await admin`SELECT paperclip.sweep_stale_locks(1000) AS n`;
    if (Number(n) === 0) break;
  }
  const [{ left }] = await admin`
    SELECT count(*) AS left FROM paperclip.issue_locks l
    WHERE l.stale AND paperclip.lock_is_sweepable(l.checkout_run_id, l.checkout_run_status,
                                                  l.execution_run_id, l.execution_run_status)`;
  assert.equal(Number(left), 0);
});
