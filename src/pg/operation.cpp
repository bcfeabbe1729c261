#include "core/errors.hpp"
#include "pg/operation.hpp"

namespace paperclip::pg {

LockedIssue lock_issue_or_404(const core::Uuid& issue_id) {
    auto issue = lock_issue(issue_id);
    if (!issue) core::fail(core::ErrorCode::NotFound, core::msg::kIssueNotFound);
    return *issue;
}

}  // namespace paperclip::pg
