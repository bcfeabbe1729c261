// Every write to an issue row, from every client (SPEC §6, §8, §10): the one
// decision behind the issues_guard trigger. Given the row before and after,
// who writes and what the database says about the runs, agents, memberships
// and blockers involved, it returns the row version to store and the audit
// rows (the ownership gate's adoptions), or throws PcError.
//
// A BEFORE ROW trigger must not read or lock more than the write needs: a
// statement refused for its actor never waits on a run row, and the run rows
// are locked only when the ownership gate runs. So the facts the decision
// reads are loaded when it asks for them: it returns a `need`, the trigger
// loads that fact into the input and calls it again. The decision is pure,
// so it walks the same path each time; the order of its requests is the order
// of the reads and locks (SPEC §7: the issue row, held by the executor, then
// the run rows).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/actor.hpp"
#include "core/audit.hpp"
#include "core/liveness.hpp"
#include "core/lock_state.hpp"

namespace paperclip::core {

enum class IssueWriteEvent { Insert, Update, Delete };

// A fact to load before the decision can go on.
struct IssueWriteNeed {
    enum class Kind {
        Run,         // read (no lock) the run `id`: its company, or whether it still exists
        Membership,  // the board user's membership in company `id`
        GateRuns,    // lock the runs the issue's lock columns name and the agent's run `id`
                     // (SPEC §7), with the terminal-status set
        Agent,       // the agent row `id` (an assignee)
        Blockers,    // the unresolved blockers of issue `id`
    };
    Kind kind;
    Uuid id;
};

// The facts loaded so far. A key present with nullopt: loaded, no such row.
struct IssueWriteFacts {
    std::map<Uuid, std::optional<RunInfo>> runs;
    std::map<Uuid, std::optional<Membership>> memberships;
    std::map<Uuid, std::optional<AgentInfo>> agents;
    std::optional<RunSet> gate_runs;
    const RunStatusPartition* partition = nullptr;  // loaded with gate_runs
    std::optional<std::vector<Uuid>> unresolved_blocker_ids;
};

struct IssueWriteInput {
    Actor actor;  // the caller's (a trusted app in compat mode, SPEC §8)
    IssueWriteEvent event = IssueWriteEvent::Update;
    IssueState current;   // OLD; for an INSERT, NEW
    IssueState proposed;  // NEW as the writer sent it; for a DELETE, OLD
    std::int64_t now = 0;  // the transaction's start, as the rules stamp it
    IssueWriteFacts facts;
};

struct IssueWriteOutcome {
    std::optional<IssueWriteNeed> need;  // set: load it and decide again; nothing else is set
    std::optional<IssueState> row;       // the row version to store; nullopt for a DELETE
    std::vector<AuditEntry> audit;       // about `current`, in order
};

// Precedence (pinned in test/unit/precedence_test.cpp):
//  every writer: 422 a changed primary key;
//  a trusted app (compat): a DELETE passes; 422 a lock run of another company
//    (checkout column, then execution); then apply_trusted_issue_rules (400, 422);
//  an operator: a DELETE passes; 422 a lock run of another company; the
//    assignee (404 / 422 / 409; an INSERT: same company only); then the issue
//    rules, keeping lock columns it wrote (an INSERT of an unassigned
//    in_progress issue is taken as it stands);
//  the ON DELETE SET NULL cascade (only run-id columns nulled, each naming a
//    run that no longer exists) passes under any actor, locks cleared by it kept;
//  everyone else: 403 no actor; 403 a direct lock write; 403 company access
//    (the issue's, then the company it moves to); an agent's UPDATE or DELETE:
//    the gate (409 / 403 another agent's issue), on its own in_progress issue
//    401 no run and 409 the ownership rule (adoptions audited); a DELETE passes;
//    the assignee (404 / 422 / 409); 422 blocked (an UPDATE entering
//    in_progress); the issue rules (400 status, 422 one assignee, 422
//    in_progress needs an assignee).
IssueWriteOutcome decide_issue_write(const IssueWriteInput& input);

}  // namespace paperclip::core
