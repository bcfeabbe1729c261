// Compat mode (SPEC §8): the unchanged Paperclip server writes without an
// actor, moves lock columns itself, leaves an in_progress issue without an
// assignee after a force-release with clearAssignee, and sets its own status
// timestamps. Such a write -- a trusted application's, or an operator's, on
// a database attached in compat mode -- passes every actor gate and is held
// to the rules that keep the data meaningful, not to those that encode a
// workflow the server runs itself.
#pragma once

#include <optional>

#include "core/lock_state.hpp"

namespace paperclip::core {

namespace msg {
inline constexpr const char* kLockRunOtherCompany = "Lock run belongs to another company";
inline constexpr const char* kRunAgentOtherCompany = "Run must belong to its agent's company";
}  // namespace msg

// The issue rules of a trusted write: the primary key never changes, a known
// status (§2), at most one assignee, and execution_run_id IS NULL implying
// its two companions are NULL (applied, as for every writer). Not applied:
// in_progress needs an assignee, the status side effects, clearing the locks
// when the status leaves in_progress or the assignee changes, the refusal of
// direct lock writes. `previous` is nullptr for an INSERT. Throws PC400 /
// PC422.
IssueState apply_trusted_issue_rules(const IssueState* previous, IssueState row);

// A lock column names a run of the issue's own company (PC422). `run` is the
// run named (nullopt: no such run; the foreign key answers that).
void require_lock_run_of_company(const IssueState& issue, const std::optional<RunInfo>& run);

// A run belongs to its agent's company (PC422). `agent` nullopt: no such
// agent (the foreign key answers that).
void require_run_of_agent_company(const Uuid& run_company_id, const std::optional<AgentInfo>& agent);

// Primary keys of companies, agents, runs and issues never change (PC400).
void require_same_primary_key(const OptUuid& before, const OptUuid& after);

}  // namespace paperclip::core
