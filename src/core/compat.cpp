#include "core/compat.hpp"
#include "core/errors.hpp"
#include "core/vocabulary.hpp"

namespace paperclip::core {

IssueState apply_trusted_issue_rules(const IssueState* previous, IssueState row) {
    if (previous != nullptr) require_same_primary_key(previous->id, row.id);
    if (!is_issue_status(row.status))
        fail_validation("status", "unknown issue status \"" + row.status + "\"");
    if (row.assignee_agent_id && row.assignee_user_id) fail(ErrorCode::Unprocessable, msg::kOneAssignee);
    if (!row.execution_run_id) row.clear_execution_lock();
    return row;
}

void require_lock_run_of_company(const IssueState& issue, const std::optional<RunInfo>& run) {
    if (run && run->company_id != issue.company_id)
        fail(ErrorCode::Unprocessable, msg::kLockRunOtherCompany,
             JsonObject().add("issueId", issue.id).add("companyId", issue.company_id)
                 .add("runId", run->id).add("runCompanyId", run->company_id));
}

void require_run_of_agent_company(const Uuid& run_company_id, const std::optional<AgentInfo>& agent) {
    if (agent && agent->company_id != run_company_id)
        fail(ErrorCode::Unprocessable, msg::kRunAgentOtherCompany,
             JsonObject().add("agentId", agent->id).add("agentCompanyId", agent->company_id)
                 .add("runCompanyId", run_company_id));
}

void require_same_primary_key(const OptUuid& before, const OptUuid& after) {
    if (before != after) fail_validation("id", "a primary key never changes");
}

}  // namespace paperclip::core
