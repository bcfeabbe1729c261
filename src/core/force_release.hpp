// paperclip.admin_force_release (SPEC §4.7): the operator's way out of a
// stuck lock, always on the record.
#pragma once

#include "core/outcome.hpp"

namespace paperclip::core {

struct ForceReleaseInput {
    IssueContext context;
    bool clear_assignee = false;
    OptText reason;
};

// Precedence: 403 Board access required (agents, no actor); 404 issue; 403
// company access. Always writes, audits issue.admin_force_release.
Outcome decide_force_release(const ForceReleaseInput& input);

// Clears the four lock columns, and the agent assignee when asked; never the status.
IssueState force_release_transition(const IssueState& issue, bool clear_assignee);

}  // namespace paperclip::core
