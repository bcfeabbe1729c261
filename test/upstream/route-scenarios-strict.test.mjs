// The three route scenarios of issue 14 (item 2) on upstream's real schema,
// twice, on identical rows in two databases built by upstream's migrations:
//   - "compat": paperclip_locks_attach attached in compat mode, upstream's real
//     issueRoutes acting (the unchanged server, SPEC §8 compat);
//   - "strict": paperclip_locks_attach attached in strict mode, the extension's
//     SQL functions and triggers acting under an actor (SPEC §3-§7 on upstream's
//     tables).
// Then every column of the issue row and the audit row are compared field by
// field. Timestamps are compared as set / not set; generated ids are left out.
// Any other difference must be one named below, and is asserted as such.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  agentActor, boardActor, openHarness, outsideBoardActor,
  seedCompanyAgentAndRuns, seedIssue, setRunContextIssue,
} from "./lib/harness.mjs";
import { toAppError } from "./lib/paperclip-error.mjs";

let compat;
let strict;
let skip = false;
before(async () => {
  compat = await openHarness("cmp_compat", { attachMode: "compat" });
  strict = await openHarness("cmp_strict", { attachMode: "strict" });
  skip = compat.attach.unavailable || strict.attach.unavailable || false;
  if (!skip) {
    const modes = await Promise.all([compat, strict].map(async (h) =>
      (await h.admin`SELECT mode FROM paperclip.attachment`)[0]?.mode));
    assert.deepEqual(modes, ["compat", "strict"]);
  }
});
after(async () => { await compat?.close(); await strict?.close(); });

// ---- the comparison ------------------------------------------------------
// Every column of both rows. A timestamp compares as set / not set (the two
// databases write at different instants); anything else by value.
function rowDifferences(upRow, extRow, { ignore = [] } = {}) {
  const diffs = [];
  const keys = [...new Set([...Object.keys(upRow), ...Object.keys(extRow)])].sort();
  for (const k of keys) {
    if (ignore.includes(k)) continue;
    let a = upRow[k];
    let b = extRow[k];
    if (a instanceof Date || b instanceof Date) { a = a != null; b = b != null; }
    if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push({ column: k, compat: upRow[k], strict: extRow[k] });
  }
  return diffs;
}
const columnsOf = (diffs) => diffs.map((d) => d.column);

async function fullIssue(h, id) {
  const rows = await h.admin`SELECT * FROM public.issues WHERE id = ${id}`;
  assert.equal(rows.length, 1);
  return { ...rows[0] };
}

// The audit rows of one issue, one action; id and created_at are generated.
async function auditRows(h, issueId, action) {
  const rows = await h.admin`SELECT * FROM public.activity_log WHERE entity_id = ${issueId} AND action = ${action}`;
  return rows.map((r) => { const { id, created_at, ...rest } = r; return { ...rest }; });
}

// ---- fixtures: the same ids in both databases ---------------------------
async function seedBoth(fields) {
  const ids = { companyId: randomUUID(), agentId: randomUUID(), failedRunId: randomUUID(), currentRunId: randomUUID() };
  const issueId = randomUUID();
  for (const h of [compat, strict]) {
    await seedCompanyAgentAndRuns(h.admin, { ids });
    await seedIssue(h.admin, { id: issueId, company_id: ids.companyId, assignee_agent_id: ids.agentId,
      execution_agent_name_key: "codexcoder", execution_locked_at: new Date(), ...fields(ids) });
    await setRunContextIssue(h.admin, ids.currentRunId, issueId);
  }
  // Strict mode applies the status side effects (SPEC §6) to the operator's
  // INSERT too, so an in_progress issue gets started_at there; compat leaves
  // them to the server. Give the compat row the same started_at.
  const [{ started_at: startedAt }] = await strict.admin`SELECT started_at FROM public.issues WHERE id = ${issueId}`;
  await compat.admin`UPDATE public.issues SET started_at = ${startedAt} WHERE id = ${issueId}`;
  // The starting rows are the same, column by column.
  assert.deepEqual(rowDifferences(await fullIssue(compat, issueId), await fullIssue(strict, issueId)), []);
  return { ...ids, issueId };
}

// One transaction of the extension's client on the strict database.
async function inStrict(actor, steps) {
  try {
    const value = await strict.admin.begin(async (tx) => {
      await tx.unsafe(actor);
      let last;
      for (const [text, params] of steps) last = await tx.unsafe(text, params);
      return last;
    });
    return { status: 200, value };
  } catch (err) {
    const e = toAppError(err);
    return { status: e.status, message: e.message, details: e.details, sqlstate: e.sqlstate };
  }
}
const asAgent = (agentId, runId) => `SELECT paperclip.set_actor_agent('${agentId}', '${runId}')`;
const asBoard = (userId) => `SELECT paperclip.set_actor_board('${userId}')`;

describe("route scenarios: upstream's routes (compat) and the extension's functions (strict) on upstream's schema", () => {
  test("the comparison reports a planted difference, once", async (t) => {
    if (skip) return t.skip(skip);
    const s = await seedBoth((ids) => ({ title: "Plant", checkout_run_id: ids.currentRunId,
      execution_run_id: ids.currentRunId }));
    await strict.admin`UPDATE public.issues SET priority = 'low' WHERE id = ${s.issueId}`;
    const diffs = rowDifferences(await fullIssue(compat, s.issueId), await fullIssue(strict, s.issueId));
    assert.deepEqual(diffs.map((d) => [d.column, d.compat, d.strict]), [["priority", "high", "low"]]);
    // A timestamp set on one side only is a difference too.
    await strict.admin`UPDATE public.issues SET priority = 'high', completed_at = now() WHERE id = ${s.issueId}`;
    assert.deepEqual(columnsOf(rowDifferences(await fullIssue(compat, s.issueId), await fullIssue(strict, s.issueId))),
      ["completed_at"]);
  });

  test("(a) the assignee's PATCH recovers a terminal stale execution lock", async (t) => {
    if (skip) return t.skip(skip);
    const s = await seedBoth((ids) => ({ title: "Stale execution lock", checkout_run_id: null,
      execution_run_id: ids.failedRunId }));

    const route = await compat.request(agentActor(s.companyId, s.agentId, s.currentRunId),
      "PATCH", `/api/issues/${s.issueId}`, { title: "Recovered execution lock" });
    assert.equal(route.status, 200, JSON.stringify(route.body));
    // Strict: the agent's own UPDATE, through the ownership gate (SPEC §6).
    const fn = await inStrict(asAgent(s.agentId, s.currentRunId), [
      ["UPDATE public.issues SET title = 'Recovered execution lock' WHERE id = $1", [s.issueId]]]);
    assert.equal(fn.status, 200, JSON.stringify(fn));

    const up = await fullIssue(compat, s.issueId);
    const ext = await fullIssue(strict, s.issueId);
    assert.deepEqual([ext.checkout_run_id, ext.execution_run_id], [s.currentRunId, s.currentRunId]);
    // Listed difference execution_lock_names_its_agent
    // (docs/upstream-differences.md): upstream's adoption leaves the name key NULL.
    assert.deepEqual(rowDifferences(up, ext).map((d) => [d.column, d.compat, d.strict]),
      [["execution_agent_name_key", null, "codexcoder"]]);
  });

  test("(b) the rightful assignee releases after the owning run failed", async (t) => {
    if (skip) return t.skip(skip);
    const s = await seedBoth((ids) => ({ title: "Failed run release", checkout_run_id: ids.failedRunId,
      execution_run_id: ids.failedRunId }));

    const route = await compat.request(agentActor(s.companyId, s.agentId, s.currentRunId),
      "POST", `/api/issues/${s.issueId}/release`);
    assert.equal(route.status, 200, JSON.stringify(route.body));
    const fn = await inStrict(asAgent(s.agentId, s.currentRunId), [
      ["SELECT * FROM paperclip.release($1, $2, $3)", [s.issueId, s.agentId, s.currentRunId]]]);
    assert.equal(fn.status, 200, JSON.stringify(fn));

    const up = await fullIssue(compat, s.issueId);
    const ext = await fullIssue(strict, s.issueId);
    assert.deepEqual(rowDifferences(up, ext), []);
    assert.deepEqual([ext.status, ext.assignee_agent_id, ext.assignee_user_id, ext.checkout_run_id,
      ext.execution_run_id, ext.execution_agent_name_key, ext.execution_locked_at],
    ["todo", null, null, null, null, null, null]);
  });

  test("(c) force-release: refused for an agent and an outsider, done by a board member", async (t) => {
    if (skip) return t.skip(skip);
    const s = await seedBoth((ids) => ({ title: "Admin force release", checkout_run_id: ids.currentRunId,
      execution_run_id: ids.failedRunId }));
    const url = `/api/issues/${s.issueId}/admin/force-release?clearAssignee=true`;
    const call = ["SELECT * FROM paperclip.admin_force_release($1, true)", [s.issueId]];
    const before = await fullIssue(compat, s.issueId);

    const agentRoute = await compat.request(agentActor(s.companyId, s.agentId, s.currentRunId), "POST", url);
    const agentFn = await inStrict(asAgent(s.agentId, s.currentRunId), [call]);
    assert.deepEqual([agentRoute.status, agentRoute.body.error], [403, "Board access required"]);
    assert.deepEqual([agentFn.status, agentFn.sqlstate, agentFn.message], [403, "PC403", "Board access required"]);

    // Upstream's route hides the issue from an outsider (404); the function
    // answers 403 "User does not have access to this company" (SPEC §4.7).
    const outsiderRoute = await compat.request(outsideBoardActor(), "POST", url);
    const outsiderFn = await inStrict(asBoard("outside-user"), [call]);
    assert.deepEqual([outsiderRoute.status, outsiderRoute.body.error], [404, "Issue not found"]);
    assert.deepEqual([outsiderFn.status, outsiderFn.sqlstate, outsiderFn.message],
      [403, "PC403", "User does not have access to this company"]);

    // Neither refusal changed a row on either side.
    assert.deepEqual(rowDifferences(before, await fullIssue(compat, s.issueId)), []);
    assert.deepEqual(rowDifferences(before, await fullIssue(strict, s.issueId)), []);

    const route = await compat.request(boardActor(s.companyId), "POST", url);
    const fn = await inStrict(asBoard("board-user"), [call]);
    assert.equal(route.status, 200, JSON.stringify(route.body));
    assert.equal(fn.status, 200, JSON.stringify(fn));
    assert.deepEqual(route.body.previous, { checkoutRunId: s.currentRunId, executionRunId: s.failedRunId });
    assert.deepEqual([fn.value[0].previous_checkout_run_id, fn.value[0].previous_execution_run_id],
      [s.currentRunId, s.failedRunId]);

    const up = await fullIssue(compat, s.issueId);
    const ext = await fullIssue(strict, s.issueId);
    assert.deepEqual(rowDifferences(up, ext), []);
    assert.deepEqual([ext.status, ext.assignee_agent_id, ext.checkout_run_id, ext.execution_run_id,
      ext.execution_agent_name_key, ext.execution_locked_at], ["in_progress", null, null, null, null, null]);

    // The audit row: one on each side, every column but the generated ones.
    const upAudit = await auditRows(compat, s.issueId, "issue.admin_force_release");
    const extAudit = await auditRows(strict, s.issueId, "issue.admin_force_release");
    assert.equal(upAudit.length, 1);
    assert.equal(extAudit.length, 1);
    const keys = ["actorUserId", "clearAssignee", "issueId", "prevCheckoutRunId", "prevExecutionRunId"];
    assert.deepEqual(Object.keys(upAudit[0].details).sort(), keys);
    // SPEC §4.7 adds `reason` only when one is given; none is here.
    assert.deepEqual(Object.keys(extAudit[0].details).sort(), keys);
    // Every column of SPEC §1's activity_log agrees. responsible_user_id is an
    // upstream column outside §1: upstream's logActivity fills it with the
    // board user, the extension's audit INSERT does not know it.
    assert.deepEqual(rowDifferences(upAudit[0], extAudit[0]).map((d) => [d.column, d.compat, d.strict]),
      [["responsible_user_id", "board-user", null]]);
    assert.deepEqual([extAudit[0].actor_type, extAudit[0].actor_id, extAudit[0].entity_type, extAudit[0].company_id],
      ["user", "board-user", "issue", s.companyId]);
  });
});
