// The sweep's statements (SPEC §4.8): set-based, a fixed number of statements
// per batch whatever its size. It waits for no lock (issue rows and, to
// confirm an expired lease, run rows are taken with SKIP LOCKED), so it
// cannot take part in a deadlock.
#pragma once

#include <vector>

#include "core/stale_locks.hpp"

namespace paperclip::pg {

// Locks up to batch_size issues with something to clear, skipping rows other
// sessions hold, walking the issues by id from where this backend's previous
// batch stopped (wrapping around to the start of the table), and reads them (id, company, the two lock columns) with the
// rows of the runs they name (a missing run has none) and their leases.
std::vector<core::SweepRow> lock_sweep_batch(int batch_size);

// Writes the cleared lock columns of the rows (only those columns).
void apply_sweep(const std::vector<core::IssueState>& cleared);

}  // namespace paperclip::pg
