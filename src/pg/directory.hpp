// The directory an operation consults: agents, board users' company
// memberships, and the issues blocking an issue. Reads only, no locks.
// Every function here needs an open SpiSession.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/actor.hpp"
#include "core/lock_state.hpp"

namespace paperclip::pg {

std::optional<core::AgentInfo> find_agent(const core::Uuid& agent_id);
std::optional<core::Membership> find_membership(const core::Uuid& company_id, const std::string& user_id);
// The actor's membership in a company when the actor is a board user (the
// only actor whose access depends on one); nullopt otherwise.
std::optional<core::Membership> membership_of(const core::Actor& actor, const core::Uuid& company_id);
// Issues that block this one (relations of the issue's company) and are not done.
std::vector<core::Uuid> unresolved_blockers(const core::Uuid& issue_id, const core::Uuid& company_id);

// Company write access for the actor (core::require_company_write), loading
// the board user's membership: for the triggers, which check row by row.
void require_company_write_access(const core::Actor& actor, const core::Uuid& company_id);

}  // namespace paperclip::pg
