// paperclip.run_leases (SPEC §9): the lease rows, the sessions they are bound
// to, and how a lease read with its run is judged. A lease row is written
// only by a renewal holding its run row's lock, so an operation that holds a
// run row sees every renewal either committed or not yet begun.
#pragma once

#include <optional>
#include <vector>

#include "core/run_lease.hpp"
#include "pg/spi.hpp"

namespace paperclip::pg {

// Whether paperclip.run_leases exists: a database still at 1.0 (before ALTER
// EXTENSION ... UPDATE) has none, and its runs are judged by status alone.
bool leases_installed();

// The lease columns of a result row, starting at `first_col` (expires_at,
// renewed_at, backend_pid, backend_start); nullopt when expires_at is NULL
// (no lease row). Judged at the start of the current statement.
std::optional<core::RunLease> lease_from(const Row& r, int first_col);

// The attached lease column (SPEC §9 run_lease_column) of a result row, read
// as {alias.run_lease_expiry} (pg/tables.hpp); nullopt when NULL or when no
// column is attached. Judged at the start of the current statement.
std::optional<core::AppLease> app_lease_from(const Row& r, int col);

// A lease given as values (an SQL function's arguments); nullopt without
// expires_at. Judged at the start of the current statement.
std::optional<core::RunLease> lease_of(const std::optional<std::int64_t>& expires_at,
                                       const std::optional<std::int32_t>& backend_pid,
                                       const core::OptTimestamp& backend_start);

// A lease (row or attached column) that looked ended when its run row was locked may have been read
// before a renewal that this operation waited for committed (PostgreSQL
// rechecks a locked row, not the rows joined to it). Those leases are read
// again by a new statement, which sees every committed renewal.
void confirm_ended_leases(std::vector<core::RunInfo>& runs);
// For the sweep, which holds no run row: an ended-looking lease is confirmed
// only for runs whose row it can lock without waiting (SKIP LOCKED); a run
// whose row another session holds (maybe renewing) counts as live this time.
void confirm_ended_leases_skip_locked(std::vector<core::RunInfo>& runs);

// Death is final (SPEC §9): for each run whose status holds but whose
// attached lease column has ended, writes that death into its lease row
// (core::death_to_record), so the application moving the column forward
// again -- upstream does while it takes over a lost run -- revives nothing.
// Called with the run rows locked, as every lease row write is.
void record_column_deaths(const std::vector<core::RunInfo>& runs);

// Renewal: the run row locked FOR NO KEY UPDATE, with its lease judged at
// `now`, which is set to the clock once the row is locked.
std::optional<core::RunInfo> lock_run_for_renewal(const core::Uuid& run_id, std::int64_t& now);
// Inserts or replaces the lease row.
void write_run_lease(const core::RenewedLease& renewed);

// Whether the backend a lease is bound to (pid and start time) still exists.
bool backend_session_exists(std::int32_t pid, std::int64_t backend_start);

}  // namespace paperclip::pg
