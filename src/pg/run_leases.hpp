// paperclip.run_leases (SPEC §9): the lease rows and the sessions they are
// bound to. Lock order: a lease row is locked after its run row (renewal
// locks the run first, so every operation that holds the run row sees a
// renewal either committed or not yet begun).
#pragma once

#include <optional>

#include "core/run_lease.hpp"
#include "pg/postgres.hpp"

namespace paperclip::pg {

// The lease of a run, locked FOR UPDATE (renewal); bound_session_ended filled in.
std::optional<core::RunLease> lock_run_lease(const core::Uuid& run_id);
// Inserts or replaces the lease row.
void write_run_lease(const core::RenewedLease& renewed);

// Whether the backend a lease is bound to (pid and start time) still exists.
bool backend_session_exists(std::int32_t pid, std::int64_t backend_start);
// Fills in lease.bound_session_ended.
void check_bound_session(core::RunLease& lease);

}  // namespace paperclip::pg
