// Run liveness (SPEC §2): whether a run still holds the locks that name it.
// This is the one place that decides it; every rule -- checkout, release,
// ownership, the execution lock, the stale-lock clearing, the sweep and the
// run-terminal trigger -- asks is_live(). Run leases (SPEC §9) add their
// signals to RunInfo and to is_live(), and nowhere else.
#pragma once

#include "core/lock_state.hpp"
#include "core/vocabulary.hpp"

namespace paperclip::core {

// Why a run holds nothing -- or that it holds (Live).
enum class Liveness { Live, Missing, Terminal, LeaseEnded };

// A run's lease (SPEC §9), judged at lease.judged_at: it holds strictly
// before expires_at and while the session it is bound to exists.
enum class LeaseState { Holds, Expired, SessionEnded };
LeaseState lease_state(const RunLease& lease);
// The application's lease column holds strictly before its value.
inline bool app_lease_ended(const AppLease& lease) { return lease.judged_at >= lease.expires_at; }

// A missing run (nullptr) holds nothing: its lock is stale. A run holds while
// its status is not terminal -- including statuses nobody has seen yet,
// because releasing a lock a live run still needs is worse than waiting --
// and, when it has a lease, while the lease holds: an expired lease counts
// as terminal for every rule, and for good (renew_run_lease never revives it).
// The attached lease column counts exactly like the lease row: set and in
// the past, the lease has ended. The column can move forward again later (the
// application's takeover of a lost run does), so the extension records such a
// death in the lease row (death_to_record) before it can be undone.
Liveness liveness_of(const RunInfo* run, const RunStatusPartition& partition);
inline bool is_live(const RunInfo* run, const RunStatusPartition& partition) {
    return liveness_of(run, partition) == Liveness::Live;
}

// The expiry to write into the run's lease row so that a death the lease
// column shows stays final: the column's value, when the run's status holds,
// the column has ended, and the lease row does not already end at or before
// it. nullopt: nothing to record.
OptTimestamp death_to_record(const RunInfo& run, const RunStatusPartition& partition);

// The liveness of the runs one operation locked, asked by run id.
class LockRules {
public:
    LockRules(const RunStatusPartition& partition, const RunSet& runs)
        : partition_(partition), runs_(runs) {}

    // The lock names a run that is terminal or gone: it holds nothing.
    bool is_stale(const OptUuid& run) const { return run && !is_live(run); }
    // The lock names a run that exists and holds.
    bool is_live(const OptUuid& run) const;
    // The run exists, its status holds, and only its lease has ended: what
    // the audit rows and the zombie's 409 call "run_lease_expired".
    bool lease_ended(const OptUuid& run) const;

    const RunStatusPartition& partition() const { return partition_; }
    const RunSet& runs() const { return runs_; }

private:
    const RunStatusPartition& partition_;
    const RunSet& runs_;
};

}  // namespace paperclip::core
