// The audit rows the rules produce. The PostgreSQL layer writes them into
// paperclip.activity_log in the caller's transaction.
#pragma once

#include <string>
#include <string_view>

#include "core/json.hpp"
#include "core/lock_state.hpp"

namespace paperclip::core {

namespace action {
inline constexpr std::string_view kCheckedOut = "issue.checked_out";
inline constexpr std::string_view kReleased = "issue.released";
inline constexpr std::string_view kCheckoutLockAdopted = "issue.checkout_lock_adopted";
inline constexpr std::string_view kAdminForceRelease = "issue.admin_force_release";
// Ours: a lock naming a terminal or missing run was cleared.
inline constexpr std::string_view kStaleLockCleared = "issue.stale_lock_cleared";
// Ours: a scheduler took the execution lock for a run.
inline constexpr std::string_view kExecutionLockAcquired = "issue.execution_lock_acquired";
}  // namespace action

struct AuditEntry {
    std::string_view action;  // one of action::k*
    JsonObject details;
};

// A lock naming a terminal or missing run, and what clearing it removed.
struct LockClearing {
    enum class Lock { Execution, Checkout };
    Lock lock;
    Uuid previous_run_id;
    OptText previous_run_status;  // nullopt: the run row no longer exists
    OptUuid previous_checkout_run_id;
    OptUuid previous_execution_run_id;
    // The run's status holds but its lease ended (SPEC §9): "reason": "run_lease_expired".
    bool lease_expired = false;
};

AuditEntry stale_lock_cleared_entry(const Uuid& issue_id, const LockClearing& clearing,
                                    const std::string& source);
// A live successor run took over a stale checkout (upstream's route row).
AuditEntry checkout_lock_adopted_entry(const Uuid& previous_checkout_run_id, const Uuid& run_id);
// A live run of the assignee took an in_progress issue no run held (SPEC §10:
// every lock the ownership gate adopts is recorded).
AuditEntry unowned_checkout_adopted_entry(const Uuid& run_id);

}  // namespace paperclip::core
