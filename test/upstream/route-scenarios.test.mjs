// Route scenarios (issue 14, item 2): upstream Paperclip's real issueRoutes
// and errorHandler, mounted in an Express app whose middleware sets
// req.actor, on a database built by upstream's own migrations. Plain
// upstream by default; ATTACH_MODE=compat runs the same scenarios with the
// extension attached (see the attach hook in lib/harness.mjs).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  agentActor, boardActor, issueRow, openHarness, outsideBoardActor,
  seedCompanyAgentAndRuns, seedIssue, setRunContextIssue,
} from "./lib/harness.mjs";

const mode = process.env.ATTACH_MODE || "none";
if (mode === "strict") {
  // The unchanged server sets no actor; strict mode refuses all its writes by
  // design (SPEC §8). Strict mode is exercised through the SQL functions.
  throw new Error("route scenarios run with ATTACH_MODE none or compat, not strict");
}

let h;
let skip = false;
before(async () => {
  h = await openHarness("routes");
  if (h.attach.unavailable) skip = h.attach.unavailable;
});
after(async () => { await h?.close(); });

// Each scenario creates its own company, agent, runs and issue (random
// UUIDs), so scenarios never see each other's rows.
describe(`upstream issue routes (attach mode: ${mode})`, () => {
  test("(a) an assigned agent's PATCH recovers a terminal stale executionRunId", async (t) => {
    if (skip) return t.skip(skip);
    const { companyId, agentId, failedRunId, currentRunId } = await seedCompanyAgentAndRuns(h.admin);
    const issueId = await seedIssue(h.admin, {
      company_id: companyId, title: "Stale execution lock", assignee_agent_id: agentId,
      checkout_run_id: null, execution_run_id: failedRunId,
      execution_agent_name_key: "codexcoder", execution_locked_at: new Date(),
    });

    await setRunContextIssue(h.admin, currentRunId, issueId);

    const res = await h.request(agentActor(companyId, agentId, currentRunId),
      "PATCH", `/api/issues/${issueId}`, { title: "Recovered execution lock" });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.title, "Recovered execution lock");

    const row = await issueRow(h.admin, issueId);
    assert.equal(row.title, "Recovered execution lock");
    assert.equal(row.status, "in_progress");
    assert.equal(row.assignee_agent_id, agentId);
    assert.equal(row.checkout_run_id, currentRunId, "checkout lock moved to the current run");
    assert.equal(row.execution_run_id, currentRunId, "execution lock moved to the current run");

    // The route records the update in the current run's name.
    const updated = await h.admin`SELECT actor_type, actor_id, run_id FROM activity_log
                                  WHERE entity_id = ${issueId} AND action = 'issue.updated'`;
    assert.deepEqual(updated.map((r) => ({ ...r })),
      [{ actor_type: "agent", actor_id: agentId, run_id: currentRunId }]);
  });

  test("(b) the rightful assignee releases after the owning run failed", async (t) => {
    if (skip) return t.skip(skip);
    const { companyId, agentId, failedRunId, currentRunId } = await seedCompanyAgentAndRuns(h.admin);
    const issueId = await seedIssue(h.admin, {
      company_id: companyId, title: "Failed run release", assignee_agent_id: agentId,
      checkout_run_id: failedRunId, execution_run_id: failedRunId,
      execution_agent_name_key: "codexcoder", execution_locked_at: new Date(),
    });

    await setRunContextIssue(h.admin, currentRunId, issueId);

    const res = await h.request(agentActor(companyId, agentId, currentRunId),
      "POST", `/api/issues/${issueId}/release`);
    assert.equal(res.status, 200, JSON.stringify(res.body));

    const row = await issueRow(h.admin, issueId);
    assert.deepEqual({ ...row, title: undefined }, {
      title: undefined, status: "todo", assignee_agent_id: null, assignee_user_id: null,
      checkout_run_id: null, execution_run_id: null, execution_agent_name_key: null, execution_locked_at: null,
    });
  });

  test("(c) force-release: refused for an agent and an outsider, done by a board member", async (t) => {
    if (skip) return t.skip(skip);
    const { companyId, agentId, failedRunId, currentRunId } = await seedCompanyAgentAndRuns(h.admin);
    const issueId = await seedIssue(h.admin, {
      company_id: companyId, title: "Admin force release", assignee_agent_id: agentId,
      checkout_run_id: currentRunId, execution_run_id: failedRunId,
      execution_agent_name_key: "codexcoder", execution_locked_at: new Date(),
    });
    const before = await issueRow(h.admin, issueId);

    const byAgent = await h.request(agentActor(companyId, agentId, currentRunId),
      "POST", `/api/issues/${issueId}/admin/force-release?clearAssignee=true`);
    assert.equal(byAgent.status, 403, JSON.stringify(byAgent.body));
    assert.deepEqual(byAgent.body, { error: "Board access required" });

    const byOutsider = await h.request(outsideBoardActor(),
      "POST", `/api/issues/${issueId}/admin/force-release?clearAssignee=true`);
    // Upstream 2026.916.1 answers an outsider like a missing issue (no
    // existence oracle across companies); SPEC §4.7 says 403 "User does not
    // have access to this company" for the SQL function.
    assert.equal(byOutsider.status, 404, JSON.stringify(byOutsider.body));
    assert.deepEqual(byOutsider.body, { error: "Issue not found" });

    assert.deepEqual(await issueRow(h.admin, issueId), before, "refusals change nothing");

    const res = await h.request(boardActor(companyId),
      "POST", `/api/issues/${issueId}/admin/force-release?clearAssignee=true`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.issue.id, issueId);
    assert.equal(res.body.issue.assigneeAgentId, null);
    assert.equal(res.body.issue.checkoutRunId, null);
    assert.equal(res.body.issue.executionRunId, null);
    assert.equal(res.body.issue.executionLockedAt, null);
    assert.deepEqual(res.body.previous, { checkoutRunId: currentRunId, executionRunId: failedRunId });

    const audit = await h.admin`SELECT actor_type, actor_id, entity_type, entity_id, details
                                FROM activity_log WHERE company_id = ${companyId}
                                  AND action = 'issue.admin_force_release'`;
    assert.equal(audit.length, 1, "exactly one audit row");
    assert.equal(audit[0].actor_type, "user");
    assert.equal(audit[0].actor_id, "board-user");
    assert.equal(audit[0].entity_type, "issue");
    assert.equal(audit[0].entity_id, issueId);
    assert.deepEqual(Object.keys(audit[0].details).sort(),
      ["actorUserId", "clearAssignee", "issueId", "prevCheckoutRunId", "prevExecutionRunId"]);
    assert.deepEqual(audit[0].details, {
      issueId, actorUserId: "board-user", prevCheckoutRunId: currentRunId,
      prevExecutionRunId: failedRunId, clearAssignee: true,
    });
  });
});
