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
                   const OptText& author_user, bool is_new) {
    if (company_id != issue.company_id)
        fail(ErrorCode::Unprocessable, msg::kCommentOtherCompany,
             JsonObject().add("issueId", issue.id).add("companyId", company_id));
    require_company_write(actor, issue.company_id, membership);
    if (is_new)
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

void require_primary_key_unchanged(const char* table, const OptUuid& before, const OptUuid& after) {
    if (before == after) return;
    fail(ErrorCode::Unprocessable, msg::kPrimaryKeyFixed,
         JsonObject().add("table", table).add("id", before).add("newId", after));
}

void require_lock_run_in_company(const IssueState& issue, const char* column, const Uuid& run_id,
                                 const RunInfo* run) {
    if (run == nullptr || run->company_id == issue.company_id) return;
    fail(ErrorCode::Unprocessable, msg::kLockRunOtherCompany,
         JsonObject()
             .add("issueId", issue.id)
             .add("companyId", issue.company_id)
             .add("column", column)
             .add("runId", run_id)
             .add("runCompanyId", run->company_id));
}

void require_run_in_agent_company(const Uuid& run_company_id, const Uuid& agent_id, const AgentInfo* agent) {
    if (agent == nullptr || agent->company_id == run_company_id) return;
    fail(ErrorCode::Unprocessable, msg::kRunAgentOtherCompany,
         JsonObject().add("companyId", run_company_id).add("agentId", agent_id).add("agentCompanyId", agent->company_id));
}

bool assignee_written(const IssueState* previous, const IssueState& proposed) {
    if (!proposed.assignee_agent_id) return false;
    return previous == nullptr || previous->assignee_agent_id != proposed.assignee_agent_id;
}

bool enters_in_progress(const IssueState* previous, const IssueState& proposed) {
    return proposed.status == status::kInProgress && (previous == nullptr || previous->status != status::kInProgress);
}

void require_no_unresolved_blockers(const std::vector<Uuid>& unresolved_blocker_ids) {
    if (unresolved_blocker_ids.empty()) return;
    fail(ErrorCode::Unprocessable, msg::kBlocked, JsonObject().add("unresolvedBlockerIssueIds", unresolved_blocker_ids));
}

void require_relation_in_one_company(const Uuid& relation_company_id, const Uuid& issue_id,
                                     const std::optional<IssueState>& issue, const Uuid& related_issue_id,
                                     const std::optional<IssueState>& related) {
    if (!issue || !related) fail(ErrorCode::NotFound, msg::kIssueNotFound);
    if (issue->company_id == relation_company_id && related->company_id == relation_company_id) return;
    fail(ErrorCode::Unprocessable, msg::kRelationOtherCompany,
         JsonObject()
             .add("companyId", relation_company_id)
             .add("issueId", issue_id)
             .add("issueCompanyId", issue->company_id)
             .add("relatedIssueId", related_issue_id)
             .add("relatedIssueCompanyId", related->company_id));
}

void require_comment_change_allowed(const Actor& actor, const CommentRow& before, const CommentRow* after) {
    if (actor.is_operator()) return;
    if (after != nullptr &&
        (after->issue_id != before.issue_id || after->company_id != before.company_id ||
         after->author_agent_id != before.author_agent_id || after->author_user_id != before.author_user_id))
        throw PcError(ErrorCode::Forbidden, msg::kCommentColumnsFixed,
                      JsonObject()
                          .add("columns", std::vector<std::string>{"issue_id", "company_id", "author_agent_id",
                                                                   "author_user_id"})
                          .str(),
                      "Delete the comment and write a new one instead.");
    if (actor.is_agent() && before.author_agent_id != actor.agent_id)
        fail(ErrorCode::Forbidden, msg::kCommentOthersComment,
             JsonObject().add("authorAgentId", before.author_agent_id).add("authorUserId", before.author_user_id)
                 .add("actorAgentId", actor.agent_id));
}

void require_audit_row_in_own_name(const Actor& actor, const OptUuid& agent_id, const OptUuid& run_id) {
    bool ok = true;
    if (actor.is_agent()) ok = (!agent_id || *agent_id == actor.agent_id) && (!run_id || run_id == actor.run_id);
    else if (actor.is_board()) ok = !agent_id && !run_id;
    if (ok) return;
    JsonObject d;
    d.add("agentId", agent_id).add("runId", run_id);
    if (actor.is_agent()) d.add("actorAgentId", actor.agent_id).add("actorRunId", actor.run_id);
    fail(ErrorCode::Forbidden, msg::kAuditOwnName, d);
}

}  // namespace paperclip::core
