#include "core/rules.hpp"

#include <algorithm>

#include "core/errors.hpp"

namespace paperclip::core {

namespace {
const std::string kInProgress = "in_progress";
const std::string kTodo = "todo";

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// A lock column is free for run `run` when empty or already naming it.
bool free_for(const OptUuid& lock, const OptUuid& run) {
    return !lock || (run && *lock == *run);
}

OptText status_of(const RunInfo* run) {
    return run ? OptText(run->status) : std::nullopt;
}
}  // namespace

bool LockRules::is_stale(const OptUuid& run) const {
    if (!run) return false;
    const RunInfo* info = runs_.find(*run);
    return partition_.is_terminal_or_missing(info ? &info->status : nullptr);
}

bool LockRules::is_live(const OptUuid& run) const { return run && !is_stale(run); }

std::optional<LockClearing> LockRules::clear_execution_if_terminal(IssueState& issue) const {
    if (!issue.execution_run_id || !is_stale(issue.execution_run_id)) return std::nullopt;
    LockClearing c{LockClearing::Lock::Execution, *issue.execution_run_id,
                   status_of(runs_.find(issue.execution_run_id)), issue.checkout_run_id,
                   issue.execution_run_id};
    if (issue.checkout_run_id == issue.execution_run_id) issue.checkout_run_id.reset();
    issue.clear_execution_lock();
    return c;
}

std::optional<LockClearing> LockRules::clear_checkout_if_terminal(IssueState& issue) const {
    if (!issue.checkout_run_id || !is_stale(issue.checkout_run_id)) return std::nullopt;
    // A different, live execution run still holds the issue: leave both alone.
    if (issue.execution_run_id && issue.execution_run_id != issue.checkout_run_id &&
        is_live(issue.execution_run_id))
        return std::nullopt;
    LockClearing c{LockClearing::Lock::Checkout, *issue.checkout_run_id,
                   status_of(runs_.find(issue.checkout_run_id)), issue.checkout_run_id,
                   issue.execution_run_id};
    issue.clear_all_locks();
    return c;
}

std::vector<LockClearing> LockRules::clear_terminal_locks(IssueState& issue) const {
    std::vector<LockClearing> out;
    if (auto c = clear_execution_if_terminal(issue)) out.push_back(*c);
    if (auto c = clear_checkout_if_terminal(issue)) out.push_back(*c);
    return out;
}

void validate_expected_statuses(const std::vector<std::string>& expected) {
    if (expected.empty())
        fail_validation("expectedStatuses", "must be a non-empty array of issue statuses");
    for (const auto& s : expected)
        if (!is_issue_status(s)) fail_validation("expectedStatuses", "unknown issue status \"" + s + "\"");
}

const char* checkout_path_name(CheckoutPath path) {
    switch (path) {
        case CheckoutPath::MainUpdate: return "main_update";
        case CheckoutPath::AdoptUnowned: return "adopt_unowned";
        case CheckoutPath::AdoptStale: return "adopt_stale";
        case CheckoutPath::SameRun: return "same_run";
    }
    return "unknown";
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

CheckoutDecision decide_checkout(IssueState issue, const CheckoutRequest& req,
                                 const LockRules& rules) {
    CheckoutDecision out{CheckoutPath::SameRun, {}, std::nullopt, {}};
    // Terminal locks go first: a run that holds nothing is never the reason for a 409.
    out.clearings = rules.clear_terminal_locks(issue);

    if (!req.unresolved_blocker_ids.empty())
        fail(ErrorCode::Unprocessable, msg::kBlocked,
             JsonObject().add("unresolvedBlockerIssueIds", req.unresolved_blocker_ids));

    const OptUuid& run = req.run_id;
    const bool assignee_is_agent = issue.assignee_agent_id == req.agent_id;
    const bool in_progress = issue.status == kInProgress;

    // The guarded update: expected status, no other assignee, no other run holding.
    if (contains(req.expected_statuses, issue.status) &&
        (!issue.assignee_agent_id || assignee_is_agent) && free_for(issue.checkout_run_id, run) &&
        free_for(issue.execution_run_id, run)) {
        issue.status = kInProgress;
        issue.assignee_agent_id = req.agent_id;
        issue.assignee_user_id.reset();
        if (run) issue.lock_to_run(*run, req.agent_name_key, req.now);
        else issue.clear_all_locks();
        issue.started_at = req.now;
        out.path = CheckoutPath::MainUpdate;
        out.result = issue;
        return out;
    }

    // Adopt an unowned in_progress checkout of this assignee.
    if (run && assignee_is_agent && in_progress && !issue.checkout_run_id &&
        free_for(issue.execution_run_id, run)) {
        issue.lock_to_run(*run, req.agent_name_key, req.now);
        out.path = CheckoutPath::AdoptUnowned;
        out.result = issue;
        return out;
    }

    // Adopt a stale checkout of this assignee -- only while no other live run
    // holds the execution lock.
    if (run && assignee_is_agent && in_progress && issue.checkout_run_id &&
        *issue.checkout_run_id != *run && rules.is_stale(issue.checkout_run_id) &&
        (free_for(issue.execution_run_id, run) || !rules.is_live(issue.execution_run_id))) {
        out.adopted_from_run_id = issue.checkout_run_id;
        issue.lock_to_run(*run, req.agent_name_key, req.now);
        out.path = CheckoutPath::AdoptStale;
        out.result = issue;
        return out;
    }

    // This run already holds it: no self-conflict.
    if (assignee_is_agent && in_progress && same_run_lock(issue.checkout_run_id, run)) {
        out.path = CheckoutPath::SameRun;
        out.result = issue;
        return out;
    }

    const char* reason = "status_not_expected";
    if (issue.assignee_agent_id && !assignee_is_agent) {
        reason = "assigned_to_other_agent";
    } else if ((!free_for(issue.checkout_run_id, run) && rules.is_live(issue.checkout_run_id)) ||
               (!free_for(issue.execution_run_id, run) && rules.is_live(issue.execution_run_id))) {
        reason = "held_by_live_run";
    }
    fail(ErrorCode::Conflict, msg::kCheckoutConflict, lock_details(issue).add("conflictReason", reason));
}

OwnershipDecision decide_ownership(const IssueState& issue, const Uuid& agent_id,
                                   const Uuid& run_id, const std::string& agent_name_key,
                                   std::int64_t now, const LockRules& rules) {
    OwnershipDecision out{issue, false, std::nullopt, {}};
    IssueState& state = out.result;
    const OptUuid run = run_id;
    const bool mine = state.status == kInProgress && state.assignee_agent_id == agent_id;

    if (mine && rules.is_live(run)) {
        // A stale execution lock of some other run never blocks the owner.
        if (state.execution_run_id != run && rules.is_stale(state.execution_run_id) &&
            state.execution_run_id != state.checkout_run_id) {
            if (auto c = rules.clear_execution_if_terminal(state)) out.clearings.push_back(*c);
        }
        const bool exec_free = free_for(state.execution_run_id, run) ||
                               state.execution_run_id == state.checkout_run_id;

        if (state.checkout_run_id == run) {
            out.changed = !out.clearings.empty();
            return out;  // the holding run (the checkout decides, as upstream's sameRunLock)
        }
        if (!state.checkout_run_id && free_for(state.execution_run_id, run)) {
            state.lock_to_run(run_id, agent_name_key, now);  // adopt an unowned lock
            out.changed = true;
            return out;
        }
        if (state.checkout_run_id && state.checkout_run_id != run &&
            rules.is_stale(state.checkout_run_id) &&
            (exec_free || rules.is_stale(state.execution_run_id))) {
            out.adopted_from_run_id = state.checkout_run_id;  // take over a stale lock
            state.lock_to_run(run_id, agent_name_key, now);
            out.changed = true;
            return out;
        }
    }

    // Report the state as the lazy clearing would leave it: a 409 never names a
    // run that holds nothing.
    IssueState reported = issue;
    rules.clear_terminal_locks(reported);
    fail(ErrorCode::Conflict, msg::kOwnershipConflict,
         lock_details(reported).add("actorAgentId", agent_id).add("actorRunId", run_id));
}

IssueState decide_release(const IssueState& issue, const OptUuid& actor_agent_id,
                          const OptUuid& actor_run_id, const LockRules& rules) {
    if (actor_agent_id) {
        if (issue.assignee_agent_id && issue.assignee_agent_id != actor_agent_id)
            fail(ErrorCode::Conflict, msg::kOnlyAssigneeRelease);
        if (issue.status == kInProgress && issue.assignee_agent_id == actor_agent_id &&
            issue.checkout_run_id && !same_run_lock(issue.checkout_run_id, actor_run_id) &&
            rules.is_live(issue.checkout_run_id))
            fail(ErrorCode::Conflict, msg::kOnlyCheckoutRunRelease,
                 JsonObject()
                     .add("issueId", issue.id)
                     .add("assigneeAgentId", issue.assignee_agent_id)
                     .add("checkoutRunId", issue.checkout_run_id)
                     .add("actorRunId", actor_run_id));
    }
    IssueState out = issue;
    // Only in_progress work re-queues; every other status is kept.
    if (out.status == kInProgress) out.status = kTodo;
    out.assignee_agent_id.reset();
    out.clear_all_locks();
    return out;
}

AcquireDecision decide_acquire_execution_lock(const IssueState& issue, const RunInfo& run,
                                              const std::string& agent_name_key,
                                              std::int64_t now, const LockRules& rules) {
    AcquireDecision out{false, false, issue, {}};
    IssueState& state = out.result;
    const OptUuid run_id = run.id;
    if (!rules.is_live(run_id)) return out;
    // A lock never names a run of an agent other than the assignee.
    if (state.assignee_agent_id && *state.assignee_agent_id != run.agent_id) return out;
    if (!free_for(state.execution_run_id, run_id) && rules.is_live(state.execution_run_id)) return out;
    if (!free_for(state.checkout_run_id, run_id) && rules.is_live(state.checkout_run_id)) return out;

    if (auto c = rules.clear_execution_if_terminal(state)) out.clearings.push_back(*c);
    if (auto c = rules.clear_checkout_if_terminal(state)) out.clearings.push_back(*c);
    out.acquired = true;
    if (state.execution_run_id == run_id) {
        out.changed = !out.clearings.empty();
        return out;
    }
    state.execution_run_id = run.id;
    state.execution_agent_name_key = agent_name_key;
    state.execution_locked_at = now;
    out.changed = true;
    return out;
}

IssueState decide_force_release(const IssueState& issue, bool clear_assignee) {
    IssueState out = issue;
    out.clear_all_locks();
    if (clear_assignee) out.assignee_agent_id.reset();
    return out;
}

}  // namespace paperclip::core
