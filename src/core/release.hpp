// paperclip.release (SPEC §4.4).
#pragma once

#include "core/liveness.hpp"
#include "core/outcome.hpp"

namespace paperclip::core {

struct ReleaseInput {
    IssueContext context;  // runs: the issue's checkout run, locked
    OptUuid agent_id;      // an agent actor releases as itself; others may name an agent
    OptUuid run_id;
};

// Precedence: 403 no actor; 404 issue; 403 company access; 403 an agent
// releases as itself (then 401/403 with its own run); 409 not the assignee;
// 409 another live run holds the checkout. Always writes, audits issue.released.
Outcome decide_release(const ReleaseInput& input);

// The release itself. actor_agent_id: set when an agent is named (its checks
// apply); unset for a board user or operator releasing outright.
IssueState release_transition(const IssueState& issue, const OptUuid& actor_agent_id,
                              const OptUuid& actor_run_id, const LockRules& rules);

}  // namespace paperclip::core
