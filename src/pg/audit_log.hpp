// The one writer of paperclip.activity_log: every audit row the extension
// records -- a function's, a trigger's, the sweep's -- goes through here, in
// the caller's transaction, in the actor's name (SPEC §3).
#pragma once

#include <vector>

#include "core/actor.hpp"
#include "core/audit.hpp"
#include "core/lock_state.hpp"

namespace paperclip::pg {

struct AuditRow {
    core::Uuid company_id;
    core::Uuid issue_id;
    core::AuditEntry entry;
};

// All rows in one statement, in order.
void write_audit(const core::Actor& actor, const std::vector<AuditRow>& rows);
// The entries about one issue.
void write_audit(const core::Actor& actor, const core::IssueState& issue,
                 const std::vector<core::AuditEntry>& entries);

}  // namespace paperclip::pg
