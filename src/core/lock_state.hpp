// The state the rules reason about: an issue's ownership columns, the run rows
// its locks name, the agents and memberships that decide access.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/uuid.hpp"

namespace paperclip::core {

using OptText = std::optional<std::string>;
// Timestamps are PostgreSQL TimestampTz values (microseconds since 2000-01-01);
// the core only copies them or stamps "now" given by the caller.
using OptTimestamp = std::optional<std::int64_t>;

struct IssueState {
    Uuid id;
    Uuid company_id;
    std::string status;
    OptUuid assignee_agent_id;
    OptText assignee_user_id;
    OptUuid checkout_run_id;
    OptUuid execution_run_id;
    OptText execution_agent_name_key;
    OptTimestamp execution_locked_at;
    OptTimestamp started_at;
    OptTimestamp completed_at;
    OptTimestamp cancelled_at;

    // execution_run_id IS NULL implies its two companions are NULL.
    void clear_execution_lock() {
        execution_run_id.reset();
        execution_agent_name_key.reset();
        execution_locked_at.reset();
    }
    void clear_all_locks() {
        checkout_run_id.reset();
        clear_execution_lock();
    }
    void lock_to_run(const Uuid& run, const std::string& name_key, std::int64_t now) {
        checkout_run_id = run;
        execution_run_id = run;
        execution_agent_name_key = name_key;
        execution_locked_at = now;
    }

    friend bool operator==(const IssueState& a, const IssueState& b) {
        return a.id == b.id && a.company_id == b.company_id && a.status == b.status &&
               a.assignee_agent_id == b.assignee_agent_id &&
               a.assignee_user_id == b.assignee_user_id && a.checkout_run_id == b.checkout_run_id &&
               a.execution_run_id == b.execution_run_id &&
               a.execution_agent_name_key == b.execution_agent_name_key &&
               a.execution_locked_at == b.execution_locked_at && a.started_at == b.started_at &&
               a.completed_at == b.completed_at && a.cancelled_at == b.cancelled_at;
    }
    friend bool operator!=(const IssueState& a, const IssueState& b) { return !(a == b); }
};

// A run's lease row (SPEC §9), as the PostgreSQL layer read it.
struct RunLease {
    std::int64_t expires_at = 0;
    std::int64_t renewed_at = 0;
    std::optional<std::int32_t> backend_pid;  // bound to a session when set
    OptTimestamp backend_start;
    // Filled in by the PostgreSQL layer: the instant the lease is judged at
    // (the start of the statement that read it; the clock for a renewal), and
    // whether the session it is bound to (pid and start time) is gone.
    std::int64_t judged_at = 0;
    bool bound_session_ended = false;

    bool bound() const { return backend_pid.has_value(); }
};

// The lease the application keeps on the run row itself: the timestamptz
// column attach(run_lease_column => ...) names (SPEC §9; upstream's
// heartbeat_runs.controller_lease_expires_at). NULL in the column: none.
struct AppLease {
    std::int64_t expires_at = 0;
    std::int64_t judged_at = 0;  // as RunLease::judged_at
};

struct RunInfo {
    Uuid id;
    Uuid agent_id;
    Uuid company_id;
    std::string status;
    std::optional<RunLease> lease;  // no lease row: judged by its status alone
    std::optional<AppLease> app_lease;  // no attached lease column, or NULL in it
};

// The run rows one operation has locked. A run id with no entry does not exist.
class RunSet {
public:
    RunSet() = default;
    explicit RunSet(std::vector<RunInfo> runs) : runs_(std::move(runs)) {}
    const RunInfo* find(const Uuid& id) const {
        for (const auto& r : runs_)
            if (r.id == id) return &r;
        return nullptr;
    }
    const RunInfo* find(const OptUuid& id) const { return id ? find(*id) : nullptr; }

private:
    std::vector<RunInfo> runs_;
};

struct AgentInfo {
    Uuid id;
    Uuid company_id;
    std::string status;
    std::string name;
    bool manages_active_checkouts = false;  // permissions grant tasks:manage_active_checkouts
};

struct Membership {
    std::string status;           // 'active' grants access
    std::string membership_role;  // 'viewer' is read-only
};

// The run ids to lock for an issue, deduplicated, in ascending order (SPEC §7).
std::vector<Uuid> run_lock_order(std::initializer_list<OptUuid> ids);

// A lock column is free for run `run` when empty or already naming it.
inline bool lock_free_for(const OptUuid& lock, const OptUuid& run) { return !lock || (run && *lock == *run); }

// The details object of 409 Issue checkout conflict / Issue run ownership conflict.
JsonObject lock_details(const IssueState& issue);

}  // namespace paperclip::core
