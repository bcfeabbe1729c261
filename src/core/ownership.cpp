#include "core/ownership.hpp"

#include "core/access.hpp"
#include "core/errors.hpp"
#include "core/stale_locks.hpp"

namespace paperclip::core {

OwnershipOutcome decide_ownership(const OwnershipInput& input) {
    const IssueContext& ctx = input.context;
    if (!input.run_id) fail(ErrorCode::Unauthorized, msg::kRunIdRequired);
    const Uuid& run_id = *input.run_id;
    require_actor(ctx.actor);
    if (ctx.actor.is_agent()) {
        require_names_itself(ctx.actor, input.agent_id, std::nullopt, msg::kActAsItself);
        agent_run_of(ctx.actor, run_id);
    }
    const IssueState& issue = require_writable_issue(ctx.issue, ctx.actor, ctx.membership);
    if (!input.agent_name_key) fail(ErrorCode::NotFound, msg::kAgentNotFound);
    const RunInfo* run = ctx.runs.find(run_id);
    if (run == nullptr) fail(ErrorCode::Unprocessable, msg::kAgentRunNotFound, JsonObject().add("runId", run_id));
    if (run->agent_id != input.agent_id)
        fail(ErrorCode::Unprocessable, msg::kAgentRunOtherAgent,
             JsonObject().add("runId", run_id).add("runAgentId", run->agent_id).add("agentId", input.agent_id));
    const LockRules rules(*ctx.partition, ctx.runs);
    return check_ownership(issue, input.agent_id, run_id, *input.agent_name_key, ctx.now, rules,
                           "assert_checkout_owner");
}

OwnershipOutcome check_ownership(const IssueState& issue, const Uuid& agent_id, const Uuid& run_id,
                                 const std::string& agent_name_key, std::int64_t now,
                                 const LockRules& rules, const std::string& source) {
    OwnershipOutcome out;
    out.result = issue;
    IssueState& state = out.result;
    std::vector<LockClearing>& clearings = out.clearings;
    const OptUuid run = run_id;
    const bool mine = state.status == status::kInProgress && state.assignee_agent_id == agent_id;
    bool adopted_unowned = false;
    auto done = [&](bool changed) {
        out.write = changed;
        add_clearing_entries(out.audit, issue, clearings, source);
        if (out.adopted_from_run_id)
            out.audit.push_back(checkout_lock_adopted_entry(*out.adopted_from_run_id, run_id));
        if (adopted_unowned) out.audit.push_back(unowned_checkout_adopted_entry(run_id));
        return out;
    };

    if (mine && rules.is_live(run)) {
        // A stale execution lock of some other run never blocks the owner.
        if (state.execution_run_id != run && rules.is_stale(state.execution_run_id) &&
            state.execution_run_id != state.checkout_run_id) {
            if (auto c = clear_execution_if_terminal(state, rules)) clearings.push_back(*c);
        }
        const bool exec_free = lock_free_for(state.execution_run_id, run) ||
                               state.execution_run_id == state.checkout_run_id;

        // The holding run (the checkout decides, as upstream's sameRunLock).
        if (state.checkout_run_id == run) return done(!clearings.empty());
        if (!state.checkout_run_id && lock_free_for(state.execution_run_id, run)) {
            state.lock_to_run(run_id, agent_name_key, now);  // adopt an unowned lock
            adopted_unowned = true;
            return done(true);
        }
        if (state.checkout_run_id && state.checkout_run_id != run &&
            rules.is_stale(state.checkout_run_id) &&
            (exec_free || rules.is_stale(state.execution_run_id))) {
            out.adopted_from_run_id = state.checkout_run_id;  // take over a stale lock
            state.lock_to_run(run_id, agent_name_key, now);
            return done(true);
        }
    }

    // Report the state as the lazy clearing would leave it: a 409 never names a
    // run that holds nothing.
    IssueState reported = issue;
    clear_terminal_locks(reported, rules);
    JsonObject details = lock_details(reported).add("actorAgentId", agent_id).add("actorRunId", run_id);
    // A zombie -- its lease ended, nobody wrote a terminal status -- learns why.
    if (rules.lease_ended(run)) details.add("reason", "run_lease_expired");
    fail(ErrorCode::Conflict, msg::kOwnershipConflict, details);
}

}  // namespace paperclip::core
