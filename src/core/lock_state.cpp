#include "core/lock_state.hpp"

#include <algorithm>

namespace paperclip::core {

std::vector<Uuid> run_lock_order(std::initializer_list<OptUuid> ids) {
    std::vector<Uuid> out;
    for (const auto& id : ids)
        if (id) out.push_back(*id);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

JsonObject lock_details(const IssueState& issue) {
    JsonObject d;
    d.add("issueId", issue.id)
        .add("status", issue.status)
        .add("assigneeAgentId", issue.assignee_agent_id)
        .add("checkoutRunId", issue.checkout_run_id)
        .add("executionRunId", issue.execution_run_id);
    return d;
}

}  // namespace paperclip::core
