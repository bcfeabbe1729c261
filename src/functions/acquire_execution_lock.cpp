// paperclip.acquire_execution_lock(issue_id, run_id) (SPEC §4.6): what a
// scheduler calls when it starts a run for an issue.
#include "core/errors.hpp"
#include "pg/args.hpp"
#include "pg/operation.hpp"

using namespace paperclip;

PAPERCLIP_FUNCTION(paperclip_acquire_execution_lock) {
    const core::Uuid issue_id = pg::arg_uuid(fcinfo, 0, "issueId");
    const core::Uuid run_id = pg::arg_uuid(fcinfo, 1, "runId");

    pg::Operation op;
    core::require_actor(op.actor);
    if (op.actor.is_agent() && core::agent_run_of(op.actor, run_id) != run_id)
        core::fail(core::ErrorCode::Forbidden, "Agent can only act with its own run");
    const pg::LockedIssue issue = pg::lock_issue_or_404(issue_id);
    pg::require_company_write_access(op.actor, issue.state.company_id);

    const core::RunSet runs = pg::lock_runs(
        core::run_lock_order({issue.state.checkout_run_id, issue.state.execution_run_id, run_id}));
    const core::LockRules rules(pg::run_status_partition(), runs);
    const core::RunInfo* run = runs.find(run_id);
    if (run == nullptr)
        core::fail(core::ErrorCode::Unprocessable, "Execution run not found", core::JsonObject().add("runId", run_id));
    if (run->company_id != issue.state.company_id)
        core::fail(core::ErrorCode::Unprocessable, "Execution run belongs to another company",
                   core::JsonObject().add("runId", run_id).add("issueId", issue_id));
    const auto agent = pg::find_agent(run->agent_id);
    const std::string name_key = agent ? core::normalize_agent_name_key(agent->name) : std::string();

    const core::AcquireDecision decision =
        core::decide_acquire_execution_lock(issue.state, *run, name_key, pg::Operation::now(), rules);
    pg::write_clearings(op.actor, issue.state, decision.clearings, "acquire_execution_lock");
    if (decision.changed) pg::write_issue(decision.result);
    if (decision.acquired && decision.result.execution_run_id != issue.state.execution_run_id) {
        core::JsonObject d;
        d.add("runId", run_id).add("previousExecutionRunId", issue.state.execution_run_id);
        pg::write_audit(op.actor, issue.state.company_id, issue_id, {core::action::kExecutionLockAcquired, d});
    }
    op.spi.finish();
    PG_RETURN_BOOL(decision.acquired);
}
