#include "core/audit.hpp"

namespace paperclip::core {

AuditEntry stale_lock_cleared_entry(const Uuid& issue_id, const LockClearing& clearing,
                                    const std::string& source) {
    JsonObject d;
    d.add("issueId", issue_id)
        .add("lock", clearing.lock == LockClearing::Lock::Execution ? "execution" : "checkout")
        .add("previousRunId", clearing.previous_run_id)
        .add("previousRunStatus", clearing.previous_run_status)
        .add("previousCheckoutRunId", clearing.previous_checkout_run_id)
        .add("previousExecutionRunId", clearing.previous_execution_run_id)
        .add("source", source);
    if (clearing.lease_expired) d.add("reason", "run_lease_expired");
    return {action::kStaleLockCleared, d};
}

AuditEntry checkout_lock_adopted_entry(const Uuid& previous_checkout_run_id, const Uuid& run_id) {
    JsonObject d;
    d.add("previousCheckoutRunId", previous_checkout_run_id)
        .add("checkoutRunId", run_id)
        .add("reason", "stale_checkout_run");
    return {action::kCheckoutLockAdopted, d};
}

AuditEntry unowned_checkout_adopted_entry(const Uuid& run_id) {
    JsonObject d;
    d.add_null("previousCheckoutRunId").add("checkoutRunId", run_id).add("reason", "unowned_checkout");
    return {action::kCheckoutLockAdopted, d};
}

}  // namespace paperclip::core
