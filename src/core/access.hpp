// Who may do what (SPEC §3, §4): the preconditions the operations share --
// an actor, the issue, company access, an actor that names only itself, an
// assignable agent, the run a checkout names. Each operation's decision
// calls them in its own order; that order is its precedence (tested as a
// table in test/unit/precedence_test.cpp).
#pragma once

#include <optional>
#include <string>

#include "core/actor.hpp"
#include "core/lock_state.hpp"
#include "core/vocabulary.hpp"

namespace paperclip::core {

// A statement with no actor from a role without the operator privilege is refused.
void require_actor(const Actor& actor);

// 404 Issue not found when the issue row does not exist.
const IssueState& require_issue(const std::optional<IssueState>& issue);

// The issue exists (404) and the actor may write its company (403): the
// precondition pair every issue operation checks, in this order.
const IssueState& require_writable_issue(const std::optional<IssueState>& issue, const Actor& actor,
                                         const std::optional<Membership>& membership);

// Write access to a company: an agent of that company, a board user with an
// active non-viewer membership, or a database operator.
void require_company_write(const Actor& actor, const Uuid& company_id, const Membership* membership);
void require_company_write(const Actor& actor, const Uuid& company_id,
                           const std::optional<Membership>& membership);

// Board-only operations (force-release): agents get 403 Board access required.
void require_board_or_operator(const Actor& actor);

// upstream assertAssignableAgent
void require_assignable_agent(const AgentInfo* agent, const Uuid& company_id);

// The run a checkout names must exist, belong to the agent and be live (422).
void require_live_run_of_agent(const RunInfo* run, const Uuid& run_id, const Uuid& agent_id,
                               const RunStatusPartition& partition);

// The one "acts as itself" check: an actor names only itself -- an agent no
// other agent and no user, a board user no agent and no other user. 403
// `message` otherwise; a database operator may name anyone.
void require_names_itself(const Actor& actor, const OptUuid& named_agent, const OptText& named_user,
                          const std::string& message);

// An agent actor acts with its own run only: returns it (401 without one,
// 403 when another run is named).
Uuid agent_run_of(const Actor& actor, const OptUuid& requested_run);

}  // namespace paperclip::core
