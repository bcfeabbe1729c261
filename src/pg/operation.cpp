#include "core/errors.hpp"
#include "core/write_gate.hpp"
#include "pg/operation.hpp"

namespace paperclip::pg {

LockedIssue lock_issue_or_404(const core::Uuid& issue_id) {
    auto issue = lock_issue(issue_id);
    if (!issue) core::fail(core::ErrorCode::NotFound, core::msg::kIssueNotFound);
    return *issue;
}

void write_ownership_audit(const core::Actor& actor, const core::IssueState& before,
                           const core::OwnershipDecision& decision, const core::Uuid& run_id,
                           const char* source) {
    write_clearings(actor, before, decision.clearings, source);
    if (decision.adopted_from_run_id)
        write_audit(actor, before.company_id, before.id,
                    core::checkout_lock_adopted_entry(*decision.adopted_from_run_id, run_id));
}

std::optional<core::OwnershipDecision> check_agent_write(const core::Actor& actor,
                                                         const core::IssueState& current) {
    if (core::agent_gate(current, actor) == core::AgentGate::Pass) return std::nullopt;
    const core::Uuid run_id = core::agent_run_of(actor, std::nullopt);
    const core::RunSet runs =
        lock_runs(core::run_lock_order({current.checkout_run_id, current.execution_run_id, run_id}));
    const core::LockRules rules(run_status_partition(), runs);
    core::OwnershipDecision decision = core::decide_ownership(
        current, actor.agent_id, run_id, actor.agent_name_key, Operation::now(), rules);
    write_ownership_audit(actor, current, decision, run_id, "ownership_gate");
    return decision;
}

}  // namespace paperclip::pg
