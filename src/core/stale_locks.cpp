#include "core/stale_locks.hpp"

#include "core/errors.hpp"

namespace paperclip::core {

namespace {
OptText status_of(const RunInfo* run) { return run ? OptText(run->status) : std::nullopt; }
}  // namespace

std::optional<LockClearing> clear_execution_if_terminal(IssueState& issue, const LockRules& rules) {
    if (!rules.is_stale(issue.execution_run_id)) return std::nullopt;
    LockClearing c{LockClearing::Lock::Execution, *issue.execution_run_id,
                   status_of(rules.runs().find(issue.execution_run_id)), issue.checkout_run_id,
                   issue.execution_run_id, rules.lease_ended(issue.execution_run_id)};
    if (issue.checkout_run_id == issue.execution_run_id) issue.checkout_run_id.reset();
    issue.clear_execution_lock();
    return c;
}

std::optional<LockClearing> clear_checkout_if_terminal(IssueState& issue, const LockRules& rules) {
    if (!rules.is_stale(issue.checkout_run_id)) return std::nullopt;
    // A different, live execution run still holds the issue: leave both alone.
    if (issue.execution_run_id != issue.checkout_run_id && rules.is_live(issue.execution_run_id))
        return std::nullopt;
    LockClearing c{LockClearing::Lock::Checkout, *issue.checkout_run_id,
                   status_of(rules.runs().find(issue.checkout_run_id)), issue.checkout_run_id,
                   issue.execution_run_id, rules.lease_ended(issue.checkout_run_id)};
    issue.clear_all_locks();
    return c;
}

std::vector<LockClearing> clear_terminal_locks(IssueState& issue, const LockRules& rules) {
    std::vector<LockClearing> out;
    if (auto c = clear_execution_if_terminal(issue, rules)) out.push_back(*c);
    if (auto c = clear_checkout_if_terminal(issue, rules)) out.push_back(*c);
    return out;
}

void add_clearing_entries(std::vector<AuditEntry>& audit, const IssueState& issue,
                          const std::vector<LockClearing>& clearings, const std::string& source) {
    for (const auto& c : clearings) audit.push_back(stale_lock_cleared_entry(issue.id, c, source));
}

Outcome clear_stale_locks(const IssueState& issue, const LockRules& rules, StaleLock which,
                          const std::string& source) {
    Outcome out;
    out.result = issue;
    switch (which) {
        case StaleLock::Execution:
            if (auto c = clear_execution_if_terminal(out.result, rules)) out.clearings.push_back(*c);
            break;
        case StaleLock::Checkout:
            if (auto c = clear_checkout_if_terminal(out.result, rules)) out.clearings.push_back(*c);
            break;
        case StaleLock::Both: out.clearings = clear_terminal_locks(out.result, rules); break;
    }
    out.write = !out.clearings.empty();
    add_clearing_entries(out.audit, issue, out.clearings, source);
    return out;
}

Outcome decide_clear_if_terminal(const ClearIfTerminalInput& input) {
    const IssueContext& ctx = input.context;
    require_actor(ctx.actor);
    const IssueState& issue = require_writable_issue(ctx.issue, ctx.actor, ctx.membership);
    const LockRules rules(*ctx.partition, ctx.runs);
    return clear_stale_locks(issue, rules, input.which, input.source);
}

void require_sweep_allowed(const Actor& actor, int batch_size) {
    if (batch_size <= 0) fail_validation("batchSize", "must be a positive integer");
    if (!actor.passes_actor_gates())
        throw PcError(ErrorCode::Forbidden, msg::kSweepNeedsOperator, {}, msg::kSweepNeedsOperatorHint);
}

std::vector<Outcome> decide_sweep(const std::vector<SweepRow>& rows, const RunStatusPartition& partition,
                                  const std::string& source) {
    std::vector<Outcome> out;
    for (const auto& row : rows) {
        const LockRules rules(partition, row.runs);
        Outcome o = clear_stale_locks(row.issue, rules, StaleLock::Both, source);
        if (o.write) out.push_back(std::move(o));
    }
    return out;
}

Outcome release_ended_run(const IssueState& issue, const RunInfo& run, const std::string& source) {
    Outcome out;
    out.result = issue;
    if (issue.company_id != run.company_id) return out;
    std::vector<LockClearing> clearings;
    IssueState& state = out.result;
    if (state.execution_run_id == run.id) {
        clearings.push_back({LockClearing::Lock::Execution, run.id, run.status, issue.checkout_run_id,
                             issue.execution_run_id});
        state.clear_execution_lock();
    }
    if (state.checkout_run_id == run.id) {
        clearings.push_back({LockClearing::Lock::Checkout, run.id, run.status, issue.checkout_run_id,
                             issue.execution_run_id});
        state.checkout_run_id.reset();
    }
    out.write = !clearings.empty();
    add_clearing_entries(out.audit, issue, clearings, source);
    out.clearings = std::move(clearings);
    return out;
}

}  // namespace paperclip::core
