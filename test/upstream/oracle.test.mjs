// The differential oracle (issue 14, item 3). See lib/oracle.mjs and
// docs/upstream-differences.md. ORACLE_SEED fixes the seed (printed either
// way), ORACLE_CASES the number of cases (default 5000), ORACLE_CASE runs one
// case alone.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { loadUpstream } from "./lib/upstream.mjs";
import { connectionUrl, createUpstreamSchema } from "./lib/pg.mjs";
import {
  compare, describeCase, generateCase, loadIssueService, readRows, runExtension, runUpstream,
  seedIssue, seedWorld,
} from "./lib/oracle.mjs";
import { explainDifference } from "./lib/differences.mjs";

// make test runs one fixed seed, so a CI run is reproducible; ORACLE_SEED=random
// (or any number) explores other cases.
const seed = process.env.ORACLE_SEED === "random" ? (Date.now() % 2147483647)
  : process.env.ORACLE_SEED ? Number(process.env.ORACLE_SEED) : 771534085;
const only = process.env.ORACLE_CASE !== undefined ? Number(process.env.ORACLE_CASE) : null;
const count = Number(process.env.ORACLE_CASES ?? 5000);
const database = `pcup_oracle_${process.pid}`;
let up;
let sql;
let svc;

before(async () => {
  up = await loadUpstream();
  createUpstreamSchema(database);
  sql = up.postgres(connectionUrl(database), { max: 8, onnotice: () => {} });
  await sql.unsafe("CREATE EXTENSION paperclip_locks");
  await seedWorld(sql);
  svc = await loadIssueService(up.createDb(connectionUrl(database), { maxConnections: 8 }));
});
after(async () => {
  await up.closeRegisteredClients(connectionUrl(database));
  await sql?.end({ timeout: 5 });
});

test(`differential oracle: upstream's services vs the extension's functions (seed ${seed})`, async (t) => {
  const indexes = only !== null ? [only] : Array.from({ length: count }, (_, i) => i);
  const tally = new Map();
  const unexplained = [];
  let agreed = 0;
  let retried = 0;
  const deadlocked = (o) => o.sqlstate === "40P01";
  const runCase = async (index) => {
    const c = generateCase(seed, index);
    for (let attempt = 1; ; attempt++) {
      await seedIssue(sql, c);
      const before = await readRows(sql, c.issueId);
      assert.deepEqual(before.extension, before.upstream, `seeded copies differ: ${describeCase(c)}`);
      const upOutcome = await runUpstream(svc, c);
      const extOutcome = await runExtension(sql, c);
      if ((deadlocked(upOutcome) || deadlocked(extOutcome)) && attempt < 5) {
        // Concurrent cases share run rows, and upstream does not lock them
        // in one order: run this case again from its seeded state.
        retried++;
        await sql`DELETE FROM public.issues WHERE id = ${c.issueId}`;
        await sql`DELETE FROM paperclip.issues WHERE id = ${c.issueId}`;
        continue;
      }
      const rows = await readRows(sql, c.issueId);
      const diffs = compare(upOutcome, extOutcome, rows);
      if (diffs.length === 0) { agreed++; return; }
      const key = explainDifference(c, upOutcome, extOutcome, rows, diffs, before);
      if (key) tally.set(key, (tally.get(key) ?? 0) + 1);
      else unexplained.push({ c, upOutcome, extOutcome, diffs });
      return;
    }
  };
  // Cases touch disjoint issues, so a few run at once.
  let next = 0;
  const worker = async () => {
    while (next < indexes.length) await runCase(indexes[next++]);
  };
  await Promise.all(Array.from({ length: Number(process.env.ORACLE_PARALLEL ?? 4) }, worker));
  const summary = [`seed ${seed}: ${indexes.length} cases, ${agreed} agree (${retried} runs again after a deadlock between cases)`,
    ...[...tally].sort().map(([k, n]) => `  ${n} listed difference ${k}`),
    `  ${unexplained.length} unlisted disagreements`];
  t.diagnostic(summary.join("\n"));
  console.error(summary.join("\n"));
  if (process.env.ORACLE_DUMP) {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(process.env.ORACLE_DUMP, unexplained.map((u) => JSON.stringify({ head: describeCase(u.c), ...u })).join("\n"));
  }
  for (const u of unexplained.slice(0, Number(process.env.ORACLE_SHOW ?? 40))) {
    console.error(`UNLISTED ${describeCase(u.c)}\n   upstream ${JSON.stringify(u.upOutcome)}\n   extension ${JSON.stringify(u.extOutcome)}\n   diffs ${JSON.stringify(u.diffs)}`);
  }
  assert.equal(unexplained.length, 0,
    `${unexplained.length} disagreements not listed in docs/upstream-differences.md; reproduce one with ORACLE_SEED=${seed} ORACLE_CASE=<index>`);
});
