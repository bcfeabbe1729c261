#include "core/write_gate.hpp"

#include "core/access.hpp"
#include "core/errors.hpp"
#include "core/vocabulary.hpp"

namespace paperclip::core {

AgentGate agent_gate(const IssueState& current, const Actor& actor) {
    if (actor.agent_company_id != current.company_id) fail(ErrorCode::Forbidden, msg::kAgentOtherCompany);
    if (!current.assignee_agent_id) return AgentGate::Pass;
    if (*current.assignee_agent_id == actor.agent_id)
        return current.status == status::kInProgress ? AgentGate::CheckOwnership : AgentGate::Pass;
    if (actor.manages_active_checkouts) return AgentGate::Pass;
    if (current.status == status::kInProgress)
        fail(ErrorCode::Conflict, msg::kCheckedOutByOther,
             JsonObject()
                 .add("issueId", current.id)
                 .add("assigneeAgentId", current.assignee_agent_id)
                 .add("actorAgentId", actor.agent_id));
    fail(ErrorCode::Forbidden, msg::kMutateOthersIssue,
         JsonObject()
             .add("issueId", current.id)
             .add("assigneeAgentId", current.assignee_agent_id)
             .add("actorAgentId", actor.agent_id)
             .add("status", current.status)
             .add("securityPrinciples",
                  std::vector<std::string>{"Least Privilege", "Complete Mediation", "Fail Securely"}));
}

void check_comment(const Actor& actor, const IssueState& issue, const OptUuid& company_id,
                   const std::optional<Membership>& membership, const OptUuid& author_agent,
                   const OptText& author_user) {
    if (company_id != issue.company_id)
        fail(ErrorCode::Unprocessable, msg::kCommentOtherCompany,
             JsonObject().add("issueId", issue.id).add("companyId", company_id));
    require_company_write(actor, issue.company_id, membership);
    require_names_itself(actor, author_agent, author_user,
                         actor.is_agent() ? msg::kCommentAsItself : msg::kBoardCommentAsItself);
}

void check_run_write(const Actor& actor, const OptUuid& run_agent_id, const OptUuid& run_company_id,
                     const std::optional<Membership>& membership) {
    if (actor.is_agent()) {
        if (run_agent_id != actor.agent_id)
            fail(ErrorCode::Forbidden, msg::kOtherAgentsRun,
                 JsonObject().add("runAgentId", run_agent_id).add("actorAgentId", actor.agent_id));
        if (run_company_id != actor.agent_company_id) fail(ErrorCode::Forbidden, msg::kAgentOtherCompany);
        return;
    }
    if (!run_company_id) fail_validation("companyId", "must not be null");
    require_company_write(actor, *run_company_id, membership);
}

bool lock_columns_differ(const IssueState& a, const IssueState& b) {
    return a.checkout_run_id != b.checkout_run_id || a.execution_run_id != b.execution_run_id ||
           a.execution_agent_name_key != b.execution_agent_name_key ||
           a.execution_locked_at != b.execution_locked_at;
}

void refuse_direct_lock_write(const Actor& actor) {
    if (actor.passes_actor_gates()) return;
    throw PcError(ErrorCode::Forbidden, msg::kLockColumnsDirect,
                  JsonObject()
                      .add("columns", std::vector<std::string>{"checkout_run_id", "execution_run_id",
                                                               "execution_agent_name_key",
                                                               "execution_locked_at"})
                      .str(),
                  msg::kLockColumnsDirectHint);
}

IssueState apply_issue_rules(const IssueState* previous, IssueState row, bool keep_lock_columns,
                             std::int64_t now) {
    if (!is_issue_status(row.status))
        fail_validation("status", "unknown issue status \"" + echo_input(row.status) + "\"");
    if (row.assignee_agent_id && row.assignee_user_id) fail(ErrorCode::Unprocessable, msg::kOneAssignee);

    const bool status_changed = previous == nullptr || previous->status != row.status;
    const bool assignee_changed = previous != nullptr &&
                                  (previous->assignee_agent_id != row.assignee_agent_id ||
                                   previous->assignee_user_id != row.assignee_user_id);
    const bool entering_in_progress = row.status == status::kInProgress && status_changed;
    if (row.status == status::kInProgress && (entering_in_progress || assignee_changed) &&
        !row.assignee_agent_id && !row.assignee_user_id)
        fail(ErrorCode::Unprocessable, msg::kInProgressNeedsAssignee);

    // Leaving in_progress, or a new assignee, ends every claim a run had.
    if (previous != nullptr && !keep_lock_columns &&
        ((previous->status == status::kInProgress && row.status != status::kInProgress) || assignee_changed))
        row.clear_all_locks();

    if (status_changed) {
        const bool stamped = [&] {
            return previous != nullptr && previous->started_at != row.started_at;
        }();
        if (row.status == status::kInProgress && !stamped && (previous != nullptr || !row.started_at))
            row.started_at = now;
        if (row.status == status::kDone) {
            if (!row.completed_at || (previous && previous->completed_at == row.completed_at)) row.completed_at = now;
        } else {
            row.completed_at.reset();
        }
        if (row.status == status::kCancelled) {
            if (!row.cancelled_at || (previous && previous->cancelled_at == row.cancelled_at)) row.cancelled_at = now;
        } else {
            row.cancelled_at.reset();
        }
    }
    // execution_run_id IS NULL implies its companions are NULL.
    if (!row.execution_run_id) row.clear_execution_lock();
    return row;
}

}  // namespace paperclip::core
