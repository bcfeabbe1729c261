#include "core/force_release.hpp"

#include "core/access.hpp"
#include "core/errors.hpp"

namespace paperclip::core {

Outcome decide_force_release(const ForceReleaseInput& input) {
    const IssueContext& ctx = input.context;
    require_board_or_operator(ctx.actor);
    const IssueState& issue = require_writable_issue(ctx.issue, ctx.actor, ctx.membership);
    Outcome out;
    out.result = force_release_transition(issue, input.clear_assignee);
    out.write = true;
    JsonObject d;
    d.add("issueId", issue.id)
        .add("actorUserId", audit_actor_of(ctx.actor).actor_id)
        .add("prevCheckoutRunId", issue.checkout_run_id)
        .add("prevExecutionRunId", issue.execution_run_id)
        .add("clearAssignee", input.clear_assignee);
    if (input.reason) d.add("reason", *input.reason);
    out.audit.push_back({action::kAdminForceRelease, d});
    return out;
}

IssueState force_release_transition(const IssueState& issue, bool clear_assignee) {
    IssueState out = issue;
    out.clear_all_locks();
    if (clear_assignee) out.assignee_agent_id.reset();
    return out;
}

}  // namespace paperclip::core
