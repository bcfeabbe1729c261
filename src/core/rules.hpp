// The ownership rules of SPEC §4: given an issue's lock state (its row locked),
// the runs its locks name (locked too) and an actor, decide what happens.
// Pure functions: the PostgreSQL layer reads the rows, asks, and writes back.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/audit.hpp"
#include "core/lock_state.hpp"
#include "core/vocabulary.hpp"

namespace paperclip::core {

// The run-liveness questions every rule asks, over the run rows one operation locked.
class LockRules {
public:
    LockRules(const RunStatusPartition& partition, const RunSet& runs)
        : partition_(partition), runs_(runs) {}

    // The lock names a run that is terminal or gone: it holds nothing.
    bool is_stale(const OptUuid& run) const;
    // The lock names a run that exists and holds.
    bool is_live(const OptUuid& run) const;

    // SPEC §4.1: a terminal or missing execution run is cleared (with the
    // checkout column when it names the same run).
    std::optional<LockClearing> clear_execution_if_terminal(IssueState& issue) const;
    // SPEC §4.2: a terminal or missing checkout run clears all four columns, but
    // never while a different, live run holds the execution lock.
    std::optional<LockClearing> clear_checkout_if_terminal(IssueState& issue) const;
    // Both, in that order (what checkout and the sweep do).
    std::vector<LockClearing> clear_terminal_locks(IssueState& issue) const;

    const RunStatusPartition& partition() const { return partition_; }
    const RunSet& runs() const { return runs_; }

private:
    const RunStatusPartition& partition_;
    const RunSet& runs_;
};

void validate_expected_statuses(const std::vector<std::string>& expected);

// ---- checkout (SPEC §4.3) ----
struct CheckoutRequest {
    Uuid agent_id;
    std::string agent_name_key;
    std::vector<std::string> expected_statuses;
    OptUuid run_id;  // validated live and the agent's before deciding
    std::int64_t now = 0;
    std::vector<Uuid> unresolved_blocker_ids;
};

enum class CheckoutPath { MainUpdate, AdoptUnowned, AdoptStale, SameRun };
const char* checkout_path_name(CheckoutPath path);

struct CheckoutDecision {
    CheckoutPath path;
    IssueState result;
    OptUuid adopted_from_run_id;         // AdoptStale: the stale run taken over
    std::vector<LockClearing> clearings;  // terminal locks cleared first
};

// Throws PcError 422 (blockers) or 409 (conflict, with conflictReason).
CheckoutDecision decide_checkout(IssueState issue, const CheckoutRequest& request,
                                 const LockRules& rules);

// ---- assert_checkout_owner (SPEC §4.5) ----
struct OwnershipDecision {
    IssueState result;
    bool changed = false;
    OptUuid adopted_from_run_id;          // a stale run was taken over
    std::vector<LockClearing> clearings;  // stale execution locks dropped on the way
};

OwnershipDecision decide_ownership(const IssueState& issue, const Uuid& agent_id,
                                   const Uuid& run_id, const std::string& agent_name_key,
                                   std::int64_t now, const LockRules& rules);

// ---- release (SPEC §4.4) ----
// actor_agent_id: set when an agent releases (checks apply); unset for board/operator.
IssueState decide_release(const IssueState& issue, const OptUuid& actor_agent_id,
                          const OptUuid& actor_run_id, const LockRules& rules);

// ---- acquire_execution_lock (SPEC §4.6) ----
struct AcquireDecision {
    bool acquired = false;
    bool changed = false;
    IssueState result;
    std::vector<LockClearing> clearings;
};
AcquireDecision decide_acquire_execution_lock(const IssueState& issue, const RunInfo& run,
                                              const std::string& agent_name_key,
                                              std::int64_t now, const LockRules& rules);

// ---- admin_force_release (SPEC §4.7) ----
IssueState decide_force_release(const IssueState& issue, bool clear_assignee);

// The details object of 409 Issue checkout conflict / Issue run ownership conflict.
JsonObject lock_details(const IssueState& issue);

}  // namespace paperclip::core
