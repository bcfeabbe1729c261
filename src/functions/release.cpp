// paperclip.release(issue_id, agent_id, run_id) (SPEC §4.4).
#include "core/errors.hpp"
#include "pg/args.hpp"
#include "pg/operation.hpp"

using namespace paperclip;

PAPERCLIP_FUNCTION(paperclip_release) {
    const core::Uuid issue_id = pg::arg_uuid(fcinfo, 0, "issueId");
    core::OptUuid agent_id = pg::arg_opt_uuid(fcinfo, 1);
    core::OptUuid run_id = pg::arg_opt_uuid(fcinfo, 2);

    pg::Operation op;
    core::require_actor(op.actor);
    const pg::LockedIssue issue = pg::lock_issue_or_404(issue_id);
    pg::require_company_write_access(op.actor, issue.state.company_id);
    if (op.actor.is_agent()) {
        // An agent releases as itself, with its run; board users and operators
        // may name an agent to get the agent's checks.
        if (agent_id && *agent_id != op.actor.agent_id)
            core::fail(core::ErrorCode::Forbidden, "Agent can only release as itself");
        agent_id = op.actor.agent_id;
        run_id = core::agent_run_of(op.actor, run_id);
    }

    const core::RunSet runs = pg::lock_runs(core::run_lock_order({issue.state.checkout_run_id}));
    const core::LockRules rules(pg::run_status_partition(), runs);
    const core::IssueState released = core::decide_release(issue.state, agent_id, run_id, rules);
    const Datum row = pg::write_issue(released);
    core::JsonObject d;
    d.add("previousStatus", issue.state.status)
        .add("previousAssigneeAgentId", issue.state.assignee_agent_id)
        .add("previousCheckoutRunId", issue.state.checkout_run_id)
        .add("previousExecutionRunId", issue.state.execution_run_id);
    pg::write_audit(op.actor, issue.state.company_id, issue_id, {core::action::kReleased, d});
    return op.finish_returning(row);
}
