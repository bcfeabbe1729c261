// Captures the SQL that upstream Paperclip's real server code
// (@paperclipai/server 2026.916.1, installed by test/upstream/install.sh)
// sends for one agent's checkout -> PATCH {title} -> release, so that
// bench/upstream/app_script.py can replay exactly that sequence with pgbench.
//
// Runs inside a cluster started with logging_collector=on,
// log_destination=csvlog (bench/run.sh does it): the server's login role gets
// log_statement=all, each request is bracketed by a LOG marker, and the
// statements of each request are read back from the csvlog.
//
// Output (stdout): JSON {ids, requests: [{name, status, statements: [{sql,
// params}]}]}. The database is dropped afterwards.
import { openHarness, seedCompanyAgentAndRuns, seedIssue, setRunContextIssue, agentActor }
  from "../../test/upstream/lib/harness.mjs";

const h = await openHarness("benchcap");
let out;
try {
  const f = await seedCompanyAgentAndRuns(h.admin);
  const issueId = await seedIssue(h.admin, { company_id: f.companyId, title: "Bench capture issue", status: "todo" });
  await setRunContextIssue(h.admin, f.currentRunId, issueId);
  await h.admin.unsafe(`ALTER ROLE "${h.appRole}" SET log_statement = 'all'`);
  const actor = agentActor(f.companyId, f.agentId, f.currentRunId);
  const marker = async (m) => h.admin.unsafe(`DO $$ BEGIN RAISE LOG 'bench-capture-marker %', '${m}'; END $$`);
  const requests = [
    ["checkout", "POST", `/api/issues/${issueId}/checkout`, { agentId: f.agentId, expectedStatuses: ["todo"] }],
    ["patch", "PATCH", `/api/issues/${issueId}`, { title: "Bench capture title" }],
    ["release", "POST", `/api/issues/${issueId}/release`, undefined],
  ];
  const results = [];
  // A first, discarded cycle warms the server's caches (as a running server
  // has them); the second is the one replayed.
  for (const round of ["warm", "captured"]) {
    for (const [name, method, path, body] of requests) {
      await marker(`${round}:${name}:begin`);
      const r = await h.request(actor, method, path, body);
      // fire-and-forget work (void heartbeat.wakeup ...) gets its time too
      await new Promise((res) => setTimeout(res, 300));
      await marker(`${round}:${name}:end`);
      if (round === "captured") results.push({ name, status: r.status, body: r.body });
      if (r.status !== 200) throw new Error(`${round} ${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    }
  }
  const logfile = (await h.admin`SELECT pg_current_logfile('csvlog') AS f`)[0].f;
  const text = (await h.admin`SELECT pg_read_file(${logfile}) AS t`)[0].t;
  const rows = parseCsv(text);
  // csvlog columns: 1 user_name, 2 database_name, 13 message, 14 detail
  for (const r of results) {
    let on = false;
    r.statements = [];
    for (const row of rows) {
      const msg = row[13] ?? "";
      if (msg === `bench-capture-marker captured:${r.name}:begin`) { on = true; continue; }
      if (msg === `bench-capture-marker captured:${r.name}:end`) { on = false; continue; }
      if (!on || row[1] !== h.appRole || row[2] !== h.dbName) continue;
      const m = /^(?:statement|execute [^:]*): ([\s\S]*)$/.exec(msg);
      if (!m) continue;
      const params = {};
      const d = /^parameters: ([\s\S]*)$/.exec(row[14] ?? "");
      if (d) {
        for (const p of d[1].matchAll(/\$(\d+) = (NULL|'((?:[^']|'')*)')/g)) {
          params[p[1]] = p[2] === "NULL" ? null : p[3].replaceAll("''", "'");
        }
      }
      r.statements.push({ session: row[5], sql: m[1], params });
    }
  }
  out = { ids: { issue: issueId, agent: f.agentId, run: f.currentRunId, company: f.companyId,
                 failedRun: f.failedRunId }, requests: results.map(({ body, ...r }) => r) };
} finally {
  await h.close();
  await h.admin?.end?.({ timeout: 1 }).catch(() => {});
}
process.stdout.write(JSON.stringify(out, null, 1) + "\n");

function parseCsv(text) {
  const rows = [];
  let row = [], field = "", q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else q = false; }
      else field += c;
    } else if (c === '"') q = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n") { row.push(field); rows.push(row); row = []; field = ""; }
    else field += c;
  }
  return rows;
}
