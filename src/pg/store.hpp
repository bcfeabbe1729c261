// Reading and writing the extension's rows, in the lock order of SPEC §7:
// the issue row first, then the run rows it needs in ascending id, in one
// statement. Every function here needs an open SpiSession.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/actor.hpp"
#include "core/audit.hpp"
#include "core/lock_state.hpp"
#include "pg/postgres.hpp"

namespace paperclip::pg {

struct LockedIssue {
    core::IssueState state;
    Datum row;  // the whole row as paperclip.issues, in SPI memory
};

// SELECT ... FOR UPDATE of one issue.
std::optional<LockedIssue> lock_issue(const core::Uuid& issue_id);
// Reads one issue without locking it.
std::optional<core::IssueState> read_issue(const core::Uuid& issue_id);
// Locks the run rows (FOR NO KEY UPDATE: their status cannot change under us,
// foreign-key checks of other sessions still pass) in ascending id order.
core::RunSet lock_runs(const std::vector<core::Uuid>& ids);
std::optional<core::RunInfo> read_run(const core::Uuid& run_id);
std::optional<core::AgentInfo> find_agent(const core::Uuid& agent_id);
std::optional<core::Membership> find_membership(const core::Uuid& company_id, const std::string& user_id);
// Issues that block this one and are not done.
std::vector<core::Uuid> unresolved_blockers(const core::Uuid& issue_id);

// Writes the ownership columns of state to the row and returns the new row.
Datum write_issue(const core::IssueState& state);

// One activity_log row, in the caller's transaction.
void write_audit(const core::Actor& actor, const core::Uuid& company_id,
                 const core::Uuid& issue_id, const core::AuditEntry& entry);
void write_clearings(const core::Actor& actor, const core::IssueState& issue,
                     const std::vector<core::LockClearing>& clearings, const std::string& source);

// True while the extension itself is writing rows; the guard triggers let
// those writes through (the functions applied the rules already).
bool extension_write_in_progress();
void reset_extension_writes();  // at transaction end, whatever happened

class ExtensionWrite {
public:
    ExtensionWrite();
    ~ExtensionWrite();
    ExtensionWrite(const ExtensionWrite&) = delete;
    ExtensionWrite& operator=(const ExtensionWrite&) = delete;
};

// Company write access for the actor, loading the board user's membership.
void require_company_write_access(const core::Actor& actor, const core::Uuid& company_id);

}  // namespace paperclip::pg
