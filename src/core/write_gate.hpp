// The rules every write to an issue obeys, whoever sends it (SPEC §6): the
// ownership gate for agents, the lock columns that only the extension's
// functions move, and the status and assignee rules. The triggers ask these
// questions; the functions answer the same ones in their own decisions
// (the ownership rule itself is core/ownership.hpp, shared with the gate).
#pragma once

#include <optional>

#include "core/actor.hpp"
#include "core/lock_state.hpp"

namespace paperclip::core {

// What the ownership gate requires of an agent writing to an issue.
enum class AgentGate {
    Pass,            // unassigned, not in progress, or an override
    CheckOwnership,  // its own in_progress issue: assert_checkout_owner decides
};

// Upstream's assertAgentIssueMutationAllowed: an agent may write its own
// issues; another agent's only with tasks:manage_active_checkouts.
AgentGate agent_gate(const IssueState& current, const Actor& actor);

// A comment by an agent or board user (SPEC §6), before the ownership gate:
// 422 when filed under another company than its issue's, 403 without write
// access to the issue's company, 403 when it names another author.
void check_comment(const Actor& actor, const IssueState& issue, const OptUuid& company_id,
                   const std::optional<Membership>& membership, const OptUuid& author_agent,
                   const OptText& author_user);

// A write to a heartbeat_runs row (SPEC §6, §10): an agent writes only its
// own runs, in its company (marking another agent's run failed or deleting
// it would steal that agent's lock); others need write access to the run's
// company.
void check_run_write(const Actor& actor, const OptUuid& run_agent_id, const OptUuid& run_company_id,
                     const std::optional<Membership>& membership);

// The four lock columns: checkout_run_id, execution_run_id and the execution
// lock's two companions.
bool lock_columns_differ(const IssueState& a, const IssueState& b);

// Only the extension's functions (and the ON DELETE SET NULL cascade) move
// lock columns; a database operator may write them directly.
void refuse_direct_lock_write(const Actor& actor);

// The status and assignee rules applied to a proposed row. `previous` is the
// row before an UPDATE (nullptr for INSERT). When `keep_lock_columns` is set
// (an operator wrote them explicitly) leaving in_progress or changing the
// assignee does not clear them. Throws 422 for the invariants.
IssueState apply_issue_rules(const IssueState* previous, IssueState proposed, bool keep_lock_columns,
                             std::int64_t now);

}  // namespace paperclip::core
