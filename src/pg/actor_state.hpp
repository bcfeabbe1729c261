// The actor of the current transaction (SPEC §3), held in this backend's own
// memory: no GUC, so SET and set_config() cannot touch it. Cleared when the
// transaction commits or aborts.
#pragma once

#include <string>

#include "core/actor.hpp"
#include "pg/postgres.hpp"

namespace paperclip::pg {

void register_actor_callbacks();

// Once a transaction has an actor it keeps it: a different one is refused, so
// SQL run later in the same transaction cannot switch identities.
void set_agent_actor(const core::AgentInfo& agent, const core::OptUuid& run_id);
void set_board_actor(const std::string& user_id);

// The set actor; with none set, a database operator when the current role
// holds the operator privilege; otherwise Kind::None. Call before switching
// to the extension owner.
core::Actor current_actor();

// Superuser, owner of the extension, or a member of paperclip_operator.
bool role_is_operator(Oid role);

}  // namespace paperclip::pg
