// Run leases (SPEC §9): a run renews a lease; once the lease has expired (or
// the database session it was bound to is gone) the run is dead for good.
// Pure C++: the PostgreSQL layer reads the lease row and asks whether its
// bound backend still exists; these functions decide.
#pragma once

#include <cstdint>
#include <optional>

#include "core/actor.hpp"
#include "core/liveness.hpp"
#include "core/lock_state.hpp"
#include "core/vocabulary.hpp"

namespace paperclip::core {

// Microseconds, as PostgreSQL's TimestampTz and interval time are.
inline constexpr std::int64_t kUsecPerSecond = 1000000;
inline constexpr std::int64_t kMinLeaseTtl = kUsecPerSecond;                 // 1 second
inline constexpr std::int64_t kMaxLeaseTtl = 24 * 3600 * kUsecPerSecond;     // 1 day

// renew_run_lease's arguments, checked (PC400) before anything is read.
struct LeaseRenewal {
    std::int64_t ttl = 0;       // microseconds
    bool bind_session = false;
    std::int64_t now = 0;       // the clock at the renewal (not the transaction start)
    std::int32_t backend_pid = 0;     // the caller's backend, for bind_session
    std::int64_t backend_start = 0;
};
void validate_lease_ttl(std::int64_t ttl);

// The lease row a renewal writes.
struct RenewedLease {
    Uuid run_id;
    Uuid company_id;
    RunLease lease;
};

// Who may renew, in order: no actor 403; unknown run 404; an agent other than
// the run's own, or acting with another run, 403 (a board user: 403); a
// terminal run 409 Run is not live; a lease that expired or whose bound
// session ended 409 Run lease expired -- a run's death is final. Liveness is
// the one rule of core/liveness.hpp, with the lease judged at renewal.now.
RenewedLease decide_lease_renewal(const Actor& actor, const Uuid& run_id, const RunInfo* run,
                                  const std::optional<RunLease>& current,
                                  const RunStatusPartition& partition, const LeaseRenewal& renewal);

}  // namespace paperclip::core
