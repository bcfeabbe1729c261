// The three route scenarios again, this time run two ways on identical rows in
// one database. Upstream's real routes act on its tables (schema public); the
// standalone extension's SQL functions (strict rules, SPEC §3-§7) act on the
// extension's tables (schema paperclip). The rows must end the same, apart
// from the differences docs/upstream-differences.md lists.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  agentActor, boardActor, issueRow, openHarness, outsideBoardActor,
  seedCompanyAgentAndRuns, seedIssue, setRunContextIssue,
} from "./lib/harness.mjs";
import { toAppError } from "./lib/paperclip-error.mjs";

if ((process.env.ATTACH_MODE || "none") !== "none") {
  throw new Error("this suite uses the standalone extension; run it without ATTACH_MODE");
}

const both = { schemas: ["public", "paperclip"] };
const same = ["title", "status", "assignee_agent_id", "assignee_user_id", "checkout_run_id", "execution_run_id"];
const pick = (row, keys) => Object.fromEntries(keys.map((k) => [k, row[k]]));

let h;
before(async () => {
  h = await openHarness("functions");
  await h.admin.unsafe("CREATE EXTENSION paperclip_locks");
});
after(async () => { await h?.close(); });

// One transaction of the extension's client: `actor` (SQL) first, then `steps`.
async function inExtension(actor, steps) {
  try {
    const value = await h.admin.begin(async (tx) => {
      if (actor) await tx.unsafe(actor);
      let last;
      for (const [text, params] of steps) last = await tx.unsafe(text, params);
      return last;
    });
    return { status: 200, value };
  } catch (err) {
    const e = toAppError(err);
    return { status: e.status, message: e.message, details: e.details };
  }
}
const asAgent = (agentId, runId) => `SELECT paperclip.set_actor_agent('${agentId}', '${runId}')`;
const asBoard = (userId) => `SELECT paperclip.set_actor_board('${userId}')`;

async function seedScenario(fields) {
  const ids = await seedCompanyAgentAndRuns(h.admin, both);
  const issueId = await seedIssue(h.admin, { company_id: ids.companyId, assignee_agent_id: ids.agentId,
    execution_agent_name_key: "codexcoder", execution_locked_at: new Date(), ...fields(ids) }, both);
  await setRunContextIssue(h.admin, ids.currentRunId, issueId);
  return { ...ids, issueId };
}

describe("route scenarios: upstream's routes and the extension's functions end with the same rows", () => {
  test("(a) the assignee's current run recovers a terminal stale execution lock", async () => {
    const s = await seedScenario((ids) => ({ title: "Stale execution lock", checkout_run_id: null,
      execution_run_id: ids.failedRunId }));

    const route = await h.request(agentActor(s.companyId, s.agentId, s.currentRunId),
      "PATCH", `/api/issues/${s.issueId}`, { title: "Recovered execution lock" });
    assert.equal(route.status, 200, JSON.stringify(route.body));
    // The extension: the ownership gate runs on the agent's own UPDATE (§6).
    const fn = await inExtension(asAgent(s.agentId, s.currentRunId), [
      ["UPDATE paperclip.issues SET title = 'Recovered execution lock' WHERE id = $1", [s.issueId]]]);
    assert.equal(fn.status, 200, JSON.stringify(fn));

    const up = await issueRow(h.admin, s.issueId, "public");
    const ext = await issueRow(h.admin, s.issueId, "paperclip");
    assert.deepEqual(pick(ext, same), pick(up, same));
    assert.equal(ext.checkout_run_id, s.currentRunId);
    assert.equal(ext.execution_run_id, s.currentRunId);
    // Listed difference execution_lock_names_its_agent.
    assert.equal(up.execution_agent_name_key, null);
    assert.equal(ext.execution_agent_name_key, "codexcoder");
    assert.ok(up.execution_locked_at && ext.execution_locked_at);
  });

  test("(b) the rightful assignee releases after the owning run failed", async () => {
    const s = await seedScenario((ids) => ({ title: "Failed run release", checkout_run_id: ids.failedRunId,
      execution_run_id: ids.failedRunId }));

    const route = await h.request(agentActor(s.companyId, s.agentId, s.currentRunId),
      "POST", `/api/issues/${s.issueId}/release`);
    assert.equal(route.status, 200, JSON.stringify(route.body));
    const fn = await inExtension(asAgent(s.agentId, s.currentRunId), [
      ["SELECT paperclip.release($1, $2, $3)", [s.issueId, s.agentId, s.currentRunId]]]);
    assert.equal(fn.status, 200, JSON.stringify(fn));

    const up = await issueRow(h.admin, s.issueId, "public");
    const ext = await issueRow(h.admin, s.issueId, "paperclip");
    assert.deepEqual(ext, up);
    assert.deepEqual({ ...ext, title: undefined }, {
      title: undefined, status: "todo", assignee_agent_id: null, assignee_user_id: null, checkout_run_id: null,
      execution_run_id: null, execution_agent_name_key: null, execution_locked_at: null,
    });
  });

  test("(c) force-release: refused for an agent and an outsider, done by a board member", async () => {
    const s = await seedScenario((ids) => ({ title: "Admin force release", checkout_run_id: ids.currentRunId,
      execution_run_id: ids.failedRunId }));
    const url = `/api/issues/${s.issueId}/admin/force-release?clearAssignee=true`;
    const call = ["SELECT * FROM paperclip.admin_force_release($1, true)", [s.issueId]];

    const agentRoute = await h.request(agentActor(s.companyId, s.agentId, s.currentRunId), "POST", url);
    const agentFn = await inExtension(asAgent(s.agentId, s.currentRunId), [call]);
    assert.deepEqual([agentRoute.status, agentRoute.body.error], [403, "Board access required"]);
    assert.deepEqual([agentFn.status, agentFn.message], [403, "Board access required"]);

    // Upstream's route hides the issue from an outsider (404); the function
    // says 403 "User does not have access to this company" (SPEC §4.7).
    const outsiderRoute = await h.request(outsideBoardActor(), "POST", url);
    const outsiderFn = await inExtension(asBoard("outside-user"), [call]);
    assert.deepEqual([outsiderRoute.status, outsiderRoute.body.error], [404, "Issue not found"]);
    assert.deepEqual([outsiderFn.status, outsiderFn.message], [403, "User does not have access to this company"]);

    const route = await h.request(boardActor(s.companyId), "POST", url);
    const fn = await inExtension(asBoard("board-user"), [call]);
    assert.equal(route.status, 200, JSON.stringify(route.body));
    assert.equal(fn.status, 200, JSON.stringify(fn));
    assert.deepEqual(route.body.previous, { checkoutRunId: s.currentRunId, executionRunId: s.failedRunId });
    assert.deepEqual(pick(fn.value[0], ["previous_checkout_run_id", "previous_execution_run_id"]),
      { previous_checkout_run_id: s.currentRunId, previous_execution_run_id: s.failedRunId });

    const up = await issueRow(h.admin, s.issueId, "public");
    const ext = await issueRow(h.admin, s.issueId, "paperclip");
    assert.deepEqual(ext, up);
    assert.equal(ext.status, "in_progress", "force-release never changes the status");
    assert.equal(ext.assignee_agent_id, null);

    const audit = async (schema) => (await h.admin`SELECT actor_type, actor_id, details FROM ${h.admin(`${schema}.activity_log`)}
      WHERE entity_id = ${s.issueId} AND action = 'issue.admin_force_release'`).map((r) => ({ ...r }));
    const upAudit = await audit("public");
    const extAudit = await audit("paperclip");
    assert.equal(upAudit.length, 1);
    assert.equal(extAudit.length, 1);
    const keys = ["actorUserId", "clearAssignee", "issueId", "prevCheckoutRunId", "prevExecutionRunId"];
    assert.deepEqual(Object.keys(upAudit[0].details).sort(), keys);
    // SPEC §4.7: the same keys, plus reason.
    assert.deepEqual(Object.keys(extAudit[0].details).filter((k) => k !== "reason").sort(), keys);
    assert.deepEqual(pick(extAudit[0].details, keys), pick(upAudit[0].details, keys));
    assert.deepEqual([extAudit[0].actor_type, extAudit[0].actor_id], [upAudit[0].actor_type, upAudit[0].actor_id]);
  });
});
