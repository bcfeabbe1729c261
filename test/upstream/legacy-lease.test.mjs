// SPEC §9 run_lease_column with upstream's own lease code: the compat attach
// of lib/harness.mjs names heartbeat_runs.controller_lease_expires_at, and
// upstream's real services/legacy-controller-lease.js (2026.916.1) renews
// and revokes it through its own database handle (the server's role, a
// paperclip_trusted_app member). The server keeps working -- its renewal and
// its revocation both succeed -- and a run whose lease ran out stays dead
// after the revocation pushes the column a minute forward again.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { harnessDir } from "./lib/upstream.mjs";
import { openHarness, seedCompanyAgentAndRuns, seedIssue } from "./lib/harness.mjs";

const mode = process.env.ATTACH_MODE || "none";
if (mode !== "compat") throw new Error("legacy-lease.test.mjs runs with ATTACH_MODE=compat");

const leaseModule = pathToFileURL(join(harnessDir, "node_modules", "@paperclipai", "server", "dist", "services",
                                       "legacy-controller-lease.js")).href;
let h;
let lease;
before(async () => {
  h = await openHarness("legacy_lease");
  if (h.attach.unavailable) throw new Error(h.attach.unavailable);
  lease = await import(leaseModule);
});
after(async () => { await h?.close(); });

// Upstream's run shape as its services read it (drizzle's camelCase row).
async function runRow(id) {
  const rows = await h.admin`SELECT id, company_id AS "companyId", runtime_mode AS "runtimeMode",
                                    controller_boot_id AS "controllerBootId",
                                    controller_lease_expires_at AS "controllerLeaseExpiresAt"
                             FROM heartbeat_runs WHERE id = ${id}`;
  return rows[0];
}

// The extension's answer to renewing the run's own lease: the expiry, or
// "SQLSTATE: message".
async function renewAnswer(runId) {
  try {
    const rows = await h.admin`SELECT paperclip.renew_run_lease(${runId}) AS expires`;
    return rows[0].expires;
  } catch (err) {
    return `${err.code}: ${err.message}`;
  }
}

describe("upstream's legacy controller lease, attached with run_lease_column (compat)", () => {
  test("the attachment names controller_lease_expires_at", async () => {
    const rows = await h.admin`SELECT mode, run_lease_column::text AS col FROM paperclip.attachment`;
    assert.deepEqual({ ...rows[0] }, { mode: "compat", col: "controller_lease_expires_at" });
  });

  test("a live controller's renewal succeeds and records no death", async () => {
    const { companyId, agentId, currentRunId } = await seedCompanyAgentAndRuns(h.admin);
    await h.admin`UPDATE heartbeat_runs SET runtime_mode = 'legacy', controller_boot_id = ${lease.legacyControllerBootId},
                  controller_lease_expires_at = now() + interval '30 seconds' WHERE id = ${currentRunId}`;
    const issueId = await seedIssue(h.admin, {
      company_id: companyId, title: "held by a live legacy run", assignee_agent_id: agentId,
      checkout_run_id: currentRunId, execution_run_id: currentRunId,
      execution_agent_name_key: "codexcoder", execution_locked_at: new Date(),
    });
    assert.equal(await lease.renewLegacyControllerLease(h.db, await runRow(currentRunId)), true);
    assert.equal((await h.admin`SELECT count(*)::int AS n FROM paperclip.run_leases WHERE run_id = ${currentRunId}`)[0].n, 0);
    const locks = await h.admin`SELECT stale FROM paperclip.issue_locks WHERE issue_id = ${issueId}`;
    assert.equal(locks[0].stale, false);
    assert.ok((await renewAnswer(currentRunId)) instanceof Date);
  });

  test("revoking an expired controller goes through, and the run stays dead", async () => {
    const { companyId, agentId, currentRunId } = await seedCompanyAgentAndRuns(h.admin);
    const past = new Date(Date.now() - 5 * 60_000);
    await h.admin`UPDATE heartbeat_runs SET runtime_mode = 'legacy', controller_boot_id = ${randomUUID()},
                  controller_lease_expires_at = ${past} WHERE id = ${currentRunId}`;
    const issueId = await seedIssue(h.admin, {
      company_id: companyId, title: "held by a lost legacy run", assignee_agent_id: agentId,
      checkout_run_id: currentRunId, execution_run_id: currentRunId,
      execution_agent_name_key: "codexcoder", execution_locked_at: new Date(),
    });
    const before = await h.admin`SELECT stale FROM paperclip.issue_locks WHERE issue_id = ${issueId}`;
    assert.equal(before[0].stale, true, "a run whose controller lease is in the past is dead");

    // Upstream's recovery: a fresh boot id, the lease 60 s into the future.
    assert.equal(await lease.revokeExpiredLegacyController(h.db, await runRow(currentRunId)), true);
    const after = await runRow(currentRunId);
    assert.ok(after.controllerLeaseExpiresAt > new Date(), "the server's write went through");

    const recorded = await h.admin`SELECT expires_at FROM paperclip.run_leases WHERE run_id = ${currentRunId}`;
    assert.equal(recorded.length, 1, "the death was recorded before the column moved");
    assert.equal(recorded[0].expires_at.getTime(), past.getTime());
    assert.match(String(await renewAnswer(currentRunId)), /^PC409: Run lease expired$/);
    const locks = await h.admin`SELECT stale FROM paperclip.issue_locks WHERE issue_id = ${issueId}`;
    assert.equal(locks[0].stale, true, "still stale after the column moved forward");
    const swept = await h.admin`SELECT paperclip.sweep_stale_locks() AS n`;
    assert.ok(Number(swept[0].n) >= 1);
    const row = await h.admin`SELECT checkout_run_id, execution_run_id FROM issues WHERE id = ${issueId}`;
    assert.deepEqual({ ...row[0] }, { checkout_run_id: null, execution_run_id: null });
  });
});
