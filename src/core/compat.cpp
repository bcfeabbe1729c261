#include "core/compat.hpp"
#include "core/errors.hpp"
#include "core/vocabulary.hpp"

namespace paperclip::core {

IssueState apply_trusted_issue_rules(IssueState row) {
    if (!is_issue_status(row.status))
        fail_validation("status", "unknown issue status \"" + row.status + "\"");
    if (row.assignee_agent_id && row.assignee_user_id) fail(ErrorCode::Unprocessable, msg::kOneAssignee);
    if (!row.execution_run_id) row.clear_execution_lock();
    return row;
}

}  // namespace paperclip::core
