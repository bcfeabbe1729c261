// paperclip.checkout(issue_id, agent_id, expected_statuses, run_id) (SPEC §4.3).
#include "core/errors.hpp"
#include "pg/args.hpp"
#include "pg/operation.hpp"

using namespace paperclip;

PAPERCLIP_FUNCTION(paperclip_checkout) {
    const core::Uuid issue_id = pg::arg_uuid(fcinfo, 0, "issueId");
    const core::Uuid agent_id = pg::arg_uuid(fcinfo, 1, "agentId");
    const auto expected = pg::arg_text_array(fcinfo, 2, "expectedStatuses");
    core::OptUuid run_id = pg::arg_opt_uuid(fcinfo, 3);
    core::validate_expected_statuses(expected);

    pg::Operation op;
    core::require_actor(op.actor);
    const pg::LockedIssue issue = pg::lock_issue_or_404(issue_id);
    pg::require_company_write_access(op.actor, issue.state.company_id);
    if (op.actor.is_agent()) {
        if (agent_id != op.actor.agent_id) core::fail(core::ErrorCode::Forbidden, core::msg::kCheckoutAsItself);
        run_id = core::agent_run_of(op.actor, run_id);
    }
    const auto agent = pg::find_agent(agent_id);
    core::require_assignable_agent(agent ? &*agent : nullptr, issue.state.company_id);

    const core::RunSet runs = pg::lock_runs(
        core::run_lock_order({issue.state.checkout_run_id, issue.state.execution_run_id, run_id}));
    const core::LockRules rules(pg::run_status_partition(), runs);
    if (run_id) core::require_live_run_of_agent(runs.find(*run_id), *run_id, agent_id, rules.partition());

    core::CheckoutRequest request;
    request.agent_id = agent_id;
    request.agent_name_key = core::normalize_agent_name_key(agent->name);
    request.expected_statuses = expected;
    request.run_id = run_id;
    request.now = pg::Operation::now();
    request.unresolved_blocker_ids = pg::unresolved_blockers(issue_id);

    const core::CheckoutDecision decision = core::decide_checkout(issue.state, request, rules);
    pg::write_clearings(op.actor, issue.state, decision.clearings, "checkout");
    const Datum row = decision.result != issue.state ? pg::write_issue(decision.result) : issue.row;
    if (decision.adopted_from_run_id)
        pg::write_audit(op.actor, issue.state.company_id, issue_id,
                        core::checkout_lock_adopted_entry(*decision.adopted_from_run_id, *run_id));
    pg::write_audit(op.actor, issue.state.company_id, issue_id,
                    {core::action::kCheckedOut, core::JsonObject().add("agentId", agent_id)});
    return op.finish_returning(row);
}
