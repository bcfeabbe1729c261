// paperclip.checkout (SPEC §4.3): the whole decision, preconditions first.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/liveness.hpp"
#include "core/outcome.hpp"

namespace paperclip::core {

struct CheckoutInput {
    IssueContext context;                // runs: the issue's lock runs and run_id, locked
    Uuid agent_id;                       // the agent to check the issue out to
    std::optional<AgentInfo> agent;      // nullopt: no such agent
    std::vector<std::string> expected_statuses;
    OptUuid run_id;                      // as named; an agent actor's own run when unset
    std::vector<Uuid> unresolved_blocker_ids;
};

enum class CheckoutPath { MainUpdate, AdoptUnowned, AdoptStale, SameRun };
const char* checkout_path_name(CheckoutPath path);

struct CheckoutOutcome : Outcome {
    CheckoutPath path = CheckoutPath::SameRun;
    OptUuid adopted_from_run_id;  // AdoptStale: the stale run taken over
};

// Precedence: 400 expected statuses; 403 no actor; 404 issue; 403 company
// access; 403 an agent checks out as itself, 401/403 with its own run;
// 404/422/409 assignable agent; 422 the run (missing, another agent's, not
// live); 422 blockers; 409 conflict. Success audits issue.checked_out.
CheckoutOutcome decide_checkout(const CheckoutInput& input);

void validate_expected_statuses(const std::vector<std::string>& expected);

// ---- the lock transition, once every precondition passed (unit-tested alone) ----
struct CheckoutRequest {
    Uuid agent_id;
    std::string agent_name_key;
    std::vector<std::string> expected_statuses;
    OptUuid run_id;  // validated live and the agent's before deciding
    std::int64_t now = 0;
    std::vector<Uuid> unresolved_blocker_ids;
};

struct CheckoutDecision {
    CheckoutPath path;
    IssueState result;
    OptUuid adopted_from_run_id;
    std::vector<LockClearing> clearings;  // terminal locks cleared first
};

// Throws PcError 422 (blockers) or 409 (conflict, with conflictReason).
CheckoutDecision checkout_transition(IssueState issue, const CheckoutRequest& request,
                                     const LockRules& rules);

}  // namespace paperclip::core
