// Who may do what (SPEC §3, §4): company access for agents and board users,
// assignability of agents, and the run a checkout names.
#pragma once

#include "core/actor.hpp"
#include "core/lock_state.hpp"
#include "core/vocabulary.hpp"

namespace paperclip::core {

// A statement with no actor from a role without the operator privilege is refused.
void require_actor(const Actor& actor);

// Write access to a company: an agent of that company, a board user with an
// active non-viewer membership, or a database operator.
void require_company_write(const Actor& actor, const Uuid& company_id, const Membership* membership);

// Board-only operations (force-release): agents get 403 Board access required.
void require_board_or_operator(const Actor& actor);

// upstream assertAssignableAgent
void require_assignable_agent(const AgentInfo* agent, const Uuid& company_id);

// The run a checkout names must exist, belong to the agent and be live (422).
void require_live_run_of_agent(const RunInfo* run, const Uuid& run_id, const Uuid& agent_id,
                               const RunStatusPartition& partition);

// An agent actor acts only as itself, with a run id.
Uuid agent_run_of(const Actor& actor, const OptUuid& requested_run);

}  // namespace paperclip::core
