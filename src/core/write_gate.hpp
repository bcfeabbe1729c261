// The rules every write to an issue obeys, whoever sends it (SPEC §6): the
// ownership gate for agents, the lock columns that only the extension's
// functions move, and the status and assignee rules. The triggers' decisions
// ask these questions (the issues table's, in their order:
// core/issue_write.hpp); the functions answer the same ones in their own
// decisions (the ownership rule itself is core/ownership.hpp, shared with the gate).
#pragma once

#include <optional>
#include <vector>

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
// access to the issue's company, 403 when a new comment names another author
// (`is_new`: an INSERT; an UPDATE or DELETE is checked by
// require_comment_change_allowed first).
void check_comment(const Actor& actor, const IssueState& issue, const OptUuid& company_id,
                   const std::optional<Membership>& membership, const OptUuid& author_agent,
                   const OptText& author_user, bool is_new = true);

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

// ---- SPEC §6 and §10 (1.1): the rules the attack on 1.0 found missing ----

// Primary keys of companies, agents, runs and issues never change (422), for
// every writer: an issue taking another's id would take its audit history.
void require_primary_key_unchanged(const char* table, const OptUuid& before, const OptUuid& after);

// A lock column names only a run of the issue's own company (422), for every
// writer. `run` is the named run's row (nullptr: missing, left to the
// foreign key).
void require_lock_run_in_company(const IssueState& issue, const char* column, const Uuid& run_id,
                                 const RunInfo* run);

// A run's company is its agent's company (422), for every writer. `agent`
// nullptr: no such agent, left to the foreign key.
void require_run_in_agent_company(const Uuid& run_company_id, const Uuid& agent_id, const AgentInfo* agent);

// An assignee written by UPDATE or INSERT is assignable, exactly as in
// checkout: 404, 422 another company, 409 pending_approval or terminated.
// Only when the assignee is written (set, or changed).
bool assignee_written(const IssueState* previous, const IssueState& proposed);

// A move to in_progress with unresolved blockers is refused, as upstream's
// PATCH does (422 Issue is blocked by unresolved blockers).
bool enters_in_progress(const IssueState* previous, const IssueState& proposed);
void require_no_unresolved_blockers(const std::vector<Uuid>& unresolved_blocker_ids);

// issue_relations: the relation, issue_id and related_issue_id belong to one
// company (422; 404 when an issue does not exist).
void require_relation_in_one_company(const Uuid& relation_company_id, const Uuid& issue_id,
                                     const std::optional<IssueState>& issue, const Uuid& related_issue_id,
                                     const std::optional<IssueState>& related);

// issue_comments UPDATE and DELETE: an agent changes only its own comments
// (403); nobody but an operator changes a comment's issue, company or authors (403).
struct CommentRow {
    OptUuid issue_id;
    OptUuid company_id;
    OptUuid author_agent_id;
    OptText author_user_id;
};
void require_comment_change_allowed(const Actor& actor, const CommentRow& before, const CommentRow* after);

// activity_log: an agent writes rows only with its own agent_id and run_id
// (or NULL); a board user names no agent and no run (403).
void require_audit_row_in_own_name(const Actor& actor, const OptUuid& agent_id, const OptUuid& run_id);

}  // namespace paperclip::core
