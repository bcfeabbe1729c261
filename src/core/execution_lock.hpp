// paperclip.acquire_execution_lock (SPEC §4.6): what a scheduler calls when
// it starts a run for an issue.
#pragma once

#include <optional>
#include <string>

#include "core/liveness.hpp"
#include "core/outcome.hpp"

namespace paperclip::core {

struct ExecutionLockInput {
    IssueContext context;  // runs: the issue's lock runs and run_id, locked
    Uuid run_id;
    // The name key of the run's agent ("" when the agent row is gone).
    std::string agent_name_key;
};

struct ExecutionLockOutcome : Outcome {
    bool acquired = false;
};

// Precedence: 403 no actor; an agent acts with its own run (401/403); 404
// issue; 403 company access; 422 the run (missing, another company's). Then
// false when another live run holds the issue.
ExecutionLockOutcome decide_execution_lock(const ExecutionLockInput& input);

// The lock itself, for a run known to exist in the issue's company.
ExecutionLockOutcome acquire_transition(const IssueState& issue, const RunInfo& run,
                                        const std::string& agent_name_key, std::int64_t now,
                                        const LockRules& rules);

}  // namespace paperclip::core
