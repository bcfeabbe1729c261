#include "core/write_gate.hpp"
#include "pg/operation.hpp"

namespace paperclip::pg {

namespace {

// The shared part of every load: the issue row, then its run rows (SPEC §7),
// the board user's membership, the terminal-status set and now().
Datum load_context(const Operation& op, const core::Uuid& issue_id, IssueRuns which,
                   const core::OptUuid& also, core::IssueContext& ctx) {
    ctx.actor = op.actor;
    ctx.partition = &run_status_partition();
    ctx.now = Operation::now();
    // The audit rows name an agent actor's run (core::audit_actor_of).
    const core::OptUuid audit_run = op.actor.is_agent() ? op.actor.run_id : std::nullopt;
    LockedIssueAndRuns locked = lock_issue_then_runs(issue_id, which, also, audit_run);
    if (!locked.issue) return Datum(0);
    ctx.issue = locked.issue->state;
    ctx.runs = std::move(locked.runs);
    ctx.membership = membership_of(op.actor, locked.issue->state.company_id);
    return locked.issue->row;
}

// The run an operation acts with: an agent actor's own, else the one named.
core::OptUuid acting_run(const core::Actor& actor, const core::OptUuid& named) {
    return actor.is_agent() ? actor.run_id : named;
}

}  // namespace

Datum load_checkout(const Operation& op, const core::Uuid& issue_id, core::CheckoutInput& input) {
    const Datum row = load_context(op, issue_id, IssueRuns::LockColumns, acting_run(op.actor, input.run_id),
                                   input.context);
    if (!input.context.issue) return row;
    input.agent = find_agent(input.agent_id);
    input.unresolved_blocker_ids = unresolved_blockers(issue_id, input.context.issue->company_id);
    return row;
}

Datum load_release(const Operation& op, const core::Uuid& issue_id, core::ReleaseInput& input) {
    return load_context(op, issue_id, IssueRuns::CheckoutOnly, std::nullopt, input.context);
}

Datum load_ownership(const Operation& op, const core::Uuid& issue_id, core::OwnershipInput& input) {
    const Datum row = load_context(op, issue_id, IssueRuns::LockColumns, input.run_id, input.context);
    if (!input.context.issue) return row;
    if (const auto agent = find_agent(input.agent_id))
        input.agent_name_key = core::normalize_agent_name_key(agent->name);
    return row;
}

Datum load_execution_lock(const Operation& op, const core::Uuid& issue_id, core::ExecutionLockInput& input) {
    const Datum row = load_context(op, issue_id, IssueRuns::LockColumns, input.run_id, input.context);
    if (const core::RunInfo* run = input.context.runs.find(input.run_id))
        if (const auto agent = find_agent(run->agent_id))
            input.agent_name_key = core::normalize_agent_name_key(agent->name);
    return row;
}

Datum load_force_release(const Operation& op, const core::Uuid& issue_id, core::ForceReleaseInput& input) {
    return load_context(op, issue_id, IssueRuns::None, std::nullopt, input.context);
}

Datum load_clear_if_terminal(const Operation& op, const core::Uuid& issue_id, core::ClearIfTerminalInput& input) {
    return load_context(op, issue_id, IssueRuns::LockColumns, std::nullopt, input.context);
}

std::optional<Datum> apply(const core::Actor& actor, const core::Outcome& outcome) {
    std::optional<Datum> row;
    if (outcome.write) row = write_issue(outcome.result);
    write_audit(actor, outcome.result, outcome.audit);
    return row;
}

std::optional<core::OwnershipOutcome> check_agent_write(const core::Actor& actor,
                                                        const core::IssueState& current) {
    if (core::agent_gate(current, actor) == core::AgentGate::Pass) return std::nullopt;
    const core::Uuid run_id = core::agent_run_of(actor, std::nullopt);
    const core::RunSet runs = lock_runs_of(current, run_id);
    const core::LockRules rules(run_status_partition(), runs);
    core::OwnershipOutcome outcome = core::check_ownership(current, actor.agent_id, run_id, actor.agent_name_key,
                                                           Operation::now(), rules, "ownership_gate");
    write_audit(actor, current, outcome.audit);
    return outcome;
}

}  // namespace paperclip::pg
