// The terminal run statuses, read from paperclip.terminal_run_statuses and
// cached per backend. A change to the table invalidates every backend's copy
// (a statement trigger sends a relcache invalidation), so an operator's new
// status applies from the next transaction on, without a rebuild.
#pragma once

#include "core/vocabulary.hpp"
#include "pg/postgres.hpp"

namespace paperclip::pg {

void register_terminal_status_invalidation();
const core::RunStatusPartition& run_status_partition();

}  // namespace paperclip::pg
