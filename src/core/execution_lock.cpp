#include "core/execution_lock.hpp"

#include "core/access.hpp"
#include "core/errors.hpp"
#include "core/stale_locks.hpp"

namespace paperclip::core {

ExecutionLockOutcome decide_execution_lock(const ExecutionLockInput& input) {
    const IssueContext& ctx = input.context;
    require_actor(ctx.actor);
    if (ctx.actor.is_agent()) agent_run_of(ctx.actor, input.run_id);
    const IssueState& issue = require_writable_issue(ctx.issue, ctx.actor, ctx.membership);
    const RunInfo* run = ctx.runs.find(input.run_id);
    if (run == nullptr)
        fail(ErrorCode::Unprocessable, msg::kExecutionRunNotFound, JsonObject().add("runId", input.run_id));
    if (run->company_id != issue.company_id)
        fail(ErrorCode::Unprocessable, msg::kExecutionRunOtherCompany,
             JsonObject().add("runId", input.run_id).add("issueId", issue.id));
    const LockRules rules(*ctx.partition, ctx.runs);
    ExecutionLockOutcome out = acquire_transition(issue, *run, input.agent_name_key, ctx.now, rules);
    add_clearing_entries(out.audit, issue, out.clearings, "acquire_execution_lock");
    if (out.acquired && out.result.execution_run_id != issue.execution_run_id)
        out.audit.push_back({action::kExecutionLockAcquired, JsonObject()
                                                                 .add("runId", input.run_id)
                                                                 .add("previousExecutionRunId", issue.execution_run_id)});
    return out;
}

ExecutionLockOutcome acquire_transition(const IssueState& issue, const RunInfo& run,
                                        const std::string& agent_name_key, std::int64_t now,
                                        const LockRules& rules) {
    ExecutionLockOutcome out;
    out.result = issue;
    IssueState& state = out.result;
    const OptUuid run_id = run.id;
    if (!rules.is_live(run_id)) return out;
    // A lock never names a run of an agent other than the assignee.
    if (state.assignee_agent_id && *state.assignee_agent_id != run.agent_id) return out;
    if (!lock_free_for(state.execution_run_id, run_id) && rules.is_live(state.execution_run_id)) return out;
    if (!lock_free_for(state.checkout_run_id, run_id) && rules.is_live(state.checkout_run_id)) return out;

    if (auto c = clear_execution_if_terminal(state, rules)) out.clearings.push_back(*c);
    if (auto c = clear_checkout_if_terminal(state, rules)) out.clearings.push_back(*c);
    out.acquired = true;
    if (state.execution_run_id == run_id) {
        out.write = !out.clearings.empty();
        return out;
    }
    state.execution_run_id = run.id;
    state.execution_agent_name_key = agent_name_key;
    state.execution_locked_at = now;
    out.write = true;
    return out;
}

}  // namespace paperclip::core
