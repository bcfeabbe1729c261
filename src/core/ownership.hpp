// paperclip.assert_checkout_owner (SPEC §4.5), and the ownership gate the
// issues and comments triggers run for an agent's write (SPEC §6): one rule.
#pragma once

#include <optional>
#include <string>

#include "core/liveness.hpp"
#include "core/outcome.hpp"

namespace paperclip::core {

struct OwnershipInput {
    IssueContext context;                   // runs: the issue's lock runs and run_id, locked
    Uuid agent_id;
    OptUuid run_id;                         // required (401 when missing)
    std::optional<std::string> agent_name_key;  // nullopt: no such agent
};

struct OwnershipOutcome : Outcome {
    OptUuid adopted_from_run_id;  // a stale run was taken over
};

// Precedence: 401 no run id; 403 no actor; 403 an agent acts as itself (then
// 401/403 with its own run); 404 issue; 403 company access; 404 agent; 422 the
// run (missing, another agent's); 409 ownership conflict.
OwnershipOutcome decide_ownership(const OwnershipInput& input);

// The ownership rule itself, once the actor, agent and run are known: what
// the holding run, a live successor (adopting an unowned or stale lock) or
// anyone else gets. `source` tags the audit rows. The triggers' gate calls
// this directly with the agent actor's own run.
OwnershipOutcome check_ownership(const IssueState& issue, const Uuid& agent_id, const Uuid& run_id,
                                 const std::string& agent_name_key, std::int64_t now,
                                 const LockRules& rules, const std::string& source);

}  // namespace paperclip::core
