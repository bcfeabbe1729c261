// paperclip.assert_checkout_owner(issue_id, agent_id, run_id) (SPEC §4.5): the
// ownership check behind every agent write.
#include "core/errors.hpp"
#include "pg/args.hpp"
#include "pg/operation.hpp"

using namespace paperclip;

PAPERCLIP_FUNCTION(paperclip_assert_checkout_owner) {
    const core::Uuid issue_id = pg::arg_uuid(fcinfo, 0, "issueId");
    const core::Uuid agent_id = pg::arg_uuid(fcinfo, 1, "agentId");
    if (PG_ARGISNULL(2)) core::fail(core::ErrorCode::Unauthorized, core::msg::kRunIdRequired);
    const core::Uuid run_id = pg::arg_uuid(fcinfo, 2, "runId");

    pg::Operation op;
    core::require_actor(op.actor);
    if (op.actor.is_agent() && (agent_id != op.actor.agent_id || core::agent_run_of(op.actor, run_id) != run_id))
        core::fail(core::ErrorCode::Forbidden, "Agent can only act as itself");
    const pg::LockedIssue issue = pg::lock_issue_or_404(issue_id);
    pg::require_company_write_access(op.actor, issue.state.company_id);
    const auto agent = pg::find_agent(agent_id);
    if (!agent) core::fail(core::ErrorCode::NotFound, core::msg::kAgentNotFound);

    const core::RunSet runs = pg::lock_runs(
        core::run_lock_order({issue.state.checkout_run_id, issue.state.execution_run_id, run_id}));
    const core::LockRules rules(pg::run_status_partition(), runs);
    const core::RunInfo* run = runs.find(run_id);
    if (run == nullptr)
        core::fail(core::ErrorCode::Unprocessable, "Agent run not found", core::JsonObject().add("runId", run_id));
    if (run->agent_id != agent_id)
        core::fail(core::ErrorCode::Unprocessable, "Agent run belongs to another agent",
                   core::JsonObject().add("runId", run_id).add("runAgentId", run->agent_id).add("agentId", agent_id));

    const core::OwnershipDecision decision = core::decide_ownership(
        issue.state, agent_id, run_id, core::normalize_agent_name_key(agent->name), pg::Operation::now(), rules);
    pg::write_ownership_audit(op.actor, issue.state, decision, run_id, "assert_checkout_owner");
    if (decision.changed) pg::write_issue(decision.result);
    const core::IssueState& s = decision.result;
    Datum out = pg::make_result_record(
        fcinfo, {pg::p_uuid(s.id), pg::p_text(s.status), pg::p_uuid(s.assignee_agent_id),
                 pg::p_uuid(s.checkout_run_id), pg::p_uuid(s.execution_run_id),
                 pg::p_uuid(decision.adopted_from_run_id)});
    return op.finish_returning(out);
}
