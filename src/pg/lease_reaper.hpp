// The lease reaper (SPEC §9): background workers, one per database named in
// paperclip.lease_reaper_databases, that release the locks of runs whose
// lease expired within paperclip.lease_reaper_interval of the expiry.
// Registered only when the module is in shared_preload_libraries; without
// it, paperclip.sweep_all_stale_locks (e.g. scheduled with pg_cron) does the
// same work.
#pragma once

namespace paperclip::pg {

// The reaper's settings; defined in every backend that loads the module, so
// SHOW works everywhere and postgresql.conf entries are validated.
void define_lease_reaper_settings();
// Registers one worker per configured database. Call from _PG_init while
// shared_preload_libraries is being processed.
void register_lease_reapers();

// The audit source of the sweep's clearings: "sweep", or "lease_reaper" in
// the reaper's own process.
const char* sweep_source();

}  // namespace paperclip::pg
