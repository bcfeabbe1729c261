// Every deliberate difference between upstream 2026.916.1's services and the
// extension's functions that the differential oracle may meet, with the
// exact condition under which it explains a disagreement. The keys are the
// headings of docs/upstream-differences.md. explainDifference returns the
// key, or null when no listed difference explains what was seen.
import { runById, runClass, world } from "./oracle.mjs";

const LOCK_FIELDS = new Set(["checkout_run_id", "execution_run_id", "execution_agent_name_key", "execution_locked"]);
const EXECUTION_FIELDS = new Set(["execution_run_id", "execution_agent_name_key", "execution_locked"]);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const holds = (id) => ["live", "unknown"].includes(runClass(id));

// The extension refused the actor before doing anything: the row is as seeded.
const actorRefusals = [
  { key: "actor_run_not_found", status: 422, message: "Agent run not found",
    when: (c) => c.actorRun !== null && runClass(c.actorRun) === "missing" },
  { key: "actor_run_of_another_agent", status: 422, message: "Agent run belongs to another agent",
    when: (c) => c.actorRun !== null && runById.get(c.actorRun)?.agent !== c.actorAgent },
  { key: "agent_run_id_required", status: 401, message: "Agent run id required",
    when: (c) => c.actorRun === null },
  { key: "agent_of_another_company", status: 403, message: "Agent key cannot access another company",
    when: (c) => world.agents[c.actorAgent].company !== "company" },
  { key: "checkout_run_not_live", status: 422, message: "Checkout run is not live",
    when: (c) => c.op === "checkout" && runClass(c.actorRun) === "terminal" },
];

export const DIFFERENCES = [
  ...actorRefusals.map((a) => a.key),
  "conflict_keeps_lazy_clears_rolled_back",
  "clear_execution_also_clears_same_checkout",
  "execution_lock_names_its_agent",
  "unassigned_issue_live_checkout_holds",
  "stale_checkout_adoption_respects_live_execution_run",
];

export function explainDifference(c, up, ext, rows, diffs, before) {
  const fields = diffs.map((d) => d.what);
  const extUnchanged = same(rows.extension, before.extension);

  for (const a of actorRefusals) {
    // Our own messages are lower-case (PG style), upstream's keep their case:
    // the rule is matched by status and text, not by capitalisation.
    if (ext.status === a.status && ext.message?.toLowerCase() === a.message.toLowerCase() && a.when(c) && extUnchanged) {
      return a.key;
    }
  }

  // Both refuse; upstream's lazy clears ran in their own transactions before
  // the refusal and stay, the extension's roll back with the error.
  if (up.status !== 200 && up.status === ext.status && extUnchanged && fields.every((f) => LOCK_FIELDS.has(f))) {
    const ok = diffs.every((d) => {
      const ranWith = d.what === "checkout_run_id" ? before.upstream.checkout_run_id : before.upstream.execution_run_id;
      const clearedUpstream = d.upstream === null || d.upstream === false;
      return runClass(ranWith) === "terminal" && clearedUpstream;
    });
    if (ok) return "conflict_keeps_lazy_clears_rolled_back";
  }

  if (c.op === "clearExecutionRunIfTerminal" && same(fields, ["checkout_run_id"]) && up.status === 200 && ext.status === 200
      && before.upstream.checkout_run_id === before.upstream.execution_run_id
      && rows.upstream.checkout_run_id === before.upstream.checkout_run_id && rows.extension.checkout_run_id === null) {
    return "clear_execution_also_clears_same_checkout";
  }

  if (up.status === 200 && ext.status === 200 && fields.every((f) => EXECUTION_FIELDS.has(f) && f !== "execution_run_id")
      && rows.extension.execution_run_id === c.actorRun
      && rows.extension.execution_agent_name_key === world.agents[c.actorAgent].key
      && rows.extension.execution_locked === true) {
    return "execution_lock_names_its_agent";
  }

  if (c.op === "checkout" && up.status === 200 && ext.status === 409 && ext.message === "Issue checkout conflict" && extUnchanged
      && before.upstream.assignee_agent_id === null && holds(before.upstream.checkout_run_id)
      && before.upstream.checkout_run_id !== c.actorRun) {
    return "unassigned_issue_live_checkout_holds";
  }

  if ((c.op === "checkout" || c.op === "assertCheckoutOwner") && up.status === 200 && ext.status === 409 && extUnchanged
      && before.upstream.assignee_agent_id === world.agents[c.actorAgent].id
      && runClass(before.upstream.checkout_run_id) === "terminal"
      && holds(before.upstream.execution_run_id) && before.upstream.execution_run_id !== c.actorRun
      && rows.upstream.execution_run_id === c.actorRun) {
    return "stale_checkout_adoption_respects_live_execution_run";
  }
  return null;
}
