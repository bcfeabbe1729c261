#include "core/release.hpp"

#include "core/access.hpp"
#include "core/errors.hpp"

namespace paperclip::core {

Outcome decide_release(const ReleaseInput& input) {
    const IssueContext& ctx = input.context;
    require_actor(ctx.actor);
    const IssueState& issue = require_writable_issue(ctx.issue, ctx.actor, ctx.membership);
    OptUuid agent_id = input.agent_id;
    OptUuid run_id = input.run_id;
    if (ctx.actor.is_agent()) {
        // An agent releases as itself, with its run; board users and operators
        // may name an agent to get the agent's checks.
        require_names_itself(ctx.actor, agent_id, std::nullopt, msg::kReleaseAsItself);
        agent_id = ctx.actor.agent_id;
        run_id = agent_run_of(ctx.actor, run_id);
    }
    const LockRules rules(*ctx.partition, ctx.runs);
    Outcome out;
    out.result = release_transition(issue, agent_id, run_id, rules);
    out.write = true;
    out.audit.push_back({action::kReleased, JsonObject()
                                                .add("previousStatus", issue.status)
                                                .add("previousAssigneeAgentId", issue.assignee_agent_id)
                                                .add("previousCheckoutRunId", issue.checkout_run_id)
                                                .add("previousExecutionRunId", issue.execution_run_id)});
    return out;
}

IssueState release_transition(const IssueState& issue, const OptUuid& actor_agent_id,
                              const OptUuid& actor_run_id, const LockRules& rules) {
    if (actor_agent_id) {
        if (issue.assignee_agent_id && issue.assignee_agent_id != actor_agent_id)
            fail(ErrorCode::Conflict, msg::kOnlyAssigneeRelease);
        if (issue.status == status::kInProgress && issue.assignee_agent_id == actor_agent_id &&
            issue.checkout_run_id && !same_run_lock(issue.checkout_run_id, actor_run_id) &&
            rules.is_live(issue.checkout_run_id))
            fail(ErrorCode::Conflict, msg::kOnlyCheckoutRunRelease,
                 JsonObject()
                     .add("issueId", issue.id)
                     .add("assigneeAgentId", issue.assignee_agent_id)
                     .add("checkoutRunId", issue.checkout_run_id)
                     .add("actorRunId", actor_run_id));
    }
    IssueState out = issue;
    // Only in_progress work re-queues; every other status is kept.
    if (out.status == status::kInProgress) out.status = status::kTodo;
    out.assignee_agent_id.reset();
    out.clear_all_locks();
    return out;
}

}  // namespace paperclip::core
