#include "core/checkout.hpp"

#include <algorithm>

#include "core/access.hpp"
#include "core/errors.hpp"
#include "core/write_gate.hpp"
#include "core/stale_locks.hpp"

namespace paperclip::core {

namespace {
bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

void validate_expected_statuses(const std::vector<std::string>& expected) {
    if (expected.empty())
        fail_validation("expectedStatuses", "must be a non-empty array of issue statuses");
    for (const auto& s : expected)
        if (!is_issue_status(s)) fail_validation("expectedStatuses", "unknown issue status \"" + echo_input(s) + "\"");
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

CheckoutOutcome decide_checkout(const CheckoutInput& input) {
    const IssueContext& ctx = input.context;
    validate_expected_statuses(input.expected_statuses);
    require_actor(ctx.actor);
    const IssueState& issue = require_writable_issue(ctx.issue, ctx.actor, ctx.membership);
    OptUuid run_id = input.run_id;
    if (ctx.actor.is_agent()) {
        require_names_itself(ctx.actor, input.agent_id, std::nullopt, msg::kCheckoutAsItself);
        run_id = agent_run_of(ctx.actor, run_id);
    }
    require_assignable_agent(input.agent ? &*input.agent : nullptr, issue.company_id);
    const LockRules rules(*ctx.partition, ctx.runs);
    if (run_id) {
        const RunInfo* run = ctx.runs.find(*run_id);
        require_live_run_of_agent(run, *run_id, input.agent_id, *ctx.partition);
        // SPEC §10: a checkout run belongs to the issue's company.
        if (run->company_id != issue.company_id)
            fail(ErrorCode::Unprocessable, msg::kCheckoutRunOtherCompany,
                 JsonObject().add("runId", run_id).add("runCompanyId", run->company_id).add("companyId", issue.company_id));
    }

    CheckoutRequest request;
    request.agent_id = input.agent_id;
    request.agent_name_key = normalize_agent_name_key(input.agent->name);
    request.expected_statuses = input.expected_statuses;
    request.run_id = run_id;
    request.now = ctx.now;
    request.unresolved_blocker_ids = input.unresolved_blocker_ids;
    const CheckoutDecision d = checkout_transition(issue, request, rules);

    CheckoutOutcome out;
    out.result = d.result;
    out.write = d.result != issue;
    out.path = d.path;
    out.adopted_from_run_id = d.adopted_from_run_id;
    out.clearings = d.clearings;
    add_clearing_entries(out.audit, issue, out.clearings, "checkout");
    if (d.adopted_from_run_id) out.audit.push_back(checkout_lock_adopted_entry(*d.adopted_from_run_id, *run_id));
    out.audit.push_back({action::kCheckedOut, JsonObject().add("agentId", input.agent_id)});
    return out;
}

CheckoutDecision checkout_transition(IssueState issue, const CheckoutRequest& req, const LockRules& rules) {
    CheckoutDecision out{CheckoutPath::SameRun, {}, std::nullopt, {}};
    // Terminal locks go first: a run that holds nothing is never the reason for a 409.
    out.clearings = clear_terminal_locks(issue, rules);

    require_no_unresolved_blockers(req.unresolved_blocker_ids);

    const OptUuid& run = req.run_id;
    const bool assignee_is_agent = issue.assignee_agent_id == req.agent_id;
    const bool in_progress = issue.status == status::kInProgress;

    // The guarded update: expected status, no other assignee, no other run holding.
    // A stale checkout run holds nothing even where the clearing above had to
    // keep it -- because this very run holds the execution lock -- so it is no
    // reason for a conflict with that run (the assignee's own in_progress
    // issue goes through the audited adoption below instead).
    const bool stale_checkout_yields =
        rules.is_stale(issue.checkout_run_id) && !(assignee_is_agent && in_progress);
    if (contains(req.expected_statuses, issue.status) &&
        (!issue.assignee_agent_id || assignee_is_agent) &&
        (lock_free_for(issue.checkout_run_id, run) || stale_checkout_yields) &&
        lock_free_for(issue.execution_run_id, run)) {
        issue.status = status::kInProgress;
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
        lock_free_for(issue.execution_run_id, run)) {
        issue.lock_to_run(*run, req.agent_name_key, req.now);
        out.path = CheckoutPath::AdoptUnowned;
        out.result = issue;
        return out;
    }

    // Adopt a stale checkout of this assignee -- only while no other live run
    // holds the execution lock.
    if (run && assignee_is_agent && in_progress && issue.checkout_run_id &&
        *issue.checkout_run_id != *run && rules.is_stale(issue.checkout_run_id) &&
        (lock_free_for(issue.execution_run_id, run) || !rules.is_live(issue.execution_run_id))) {
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
    } else if ((!lock_free_for(issue.checkout_run_id, run) && rules.is_live(issue.checkout_run_id)) ||
               (!lock_free_for(issue.execution_run_id, run) && rules.is_live(issue.execution_run_id))) {
        reason = "held_by_live_run";
    }
    fail(ErrorCode::Conflict, msg::kCheckoutConflict, lock_details(issue).add("conflictReason", reason));
}

}  // namespace paperclip::core
