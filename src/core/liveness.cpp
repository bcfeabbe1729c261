#include "core/liveness.hpp"

namespace paperclip::core {

LeaseState lease_state(const RunLease& lease) {
    if (lease.bound_session_ended) return LeaseState::SessionEnded;
    if (lease.judged_at >= lease.expires_at) return LeaseState::Expired;
    return LeaseState::Holds;
}

Liveness liveness_of(const RunInfo* run, const RunStatusPartition& partition) {
    if (run == nullptr) return Liveness::Missing;
    if (partition.is_terminal(run->status)) return Liveness::Terminal;
    if (run->lease && lease_state(*run->lease) != LeaseState::Holds) return Liveness::LeaseEnded;
    if (run->app_lease && app_lease_ended(*run->app_lease)) return Liveness::LeaseEnded;
    return Liveness::Live;
}

OptTimestamp death_to_record(const RunInfo& run, const RunStatusPartition& partition) {
    if (!run.app_lease || !app_lease_ended(*run.app_lease) || partition.is_terminal(run.status))
        return std::nullopt;
    if (run.lease && run.lease->expires_at <= run.app_lease->expires_at) return std::nullopt;
    return run.app_lease->expires_at;
}

bool LockRules::is_live(const OptUuid& run) const {
    return run && core::is_live(runs_.find(*run), partition_);
}

bool LockRules::lease_ended(const OptUuid& run) const {
    return run && liveness_of(runs_.find(*run), partition_) == Liveness::LeaseEnded;
}

}  // namespace paperclip::core
