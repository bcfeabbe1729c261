#include "pg/run_leases.hpp"

#include "pg/spi.hpp"

extern "C" {
#include "storage/procarray.h"
#include "utils/backend_status.h"
}

namespace paperclip::pg {

namespace {

SavedPlan lock_lease_plan(
    "SELECT l.expires_at, l.renewed_at, l.backend_pid, l.backend_start "
    "FROM paperclip.run_leases AS l WHERE l.run_id" PC_EQ "$1 FOR UPDATE",
    {UUIDOID});

SavedPlan write_lease_plan(
    "INSERT INTO paperclip.run_leases AS l (run_id, company_id, expires_at, renewed_at, backend_pid, "
    "backend_start) VALUES ($1, $2, $3, $4, $5, $6) "
    "ON CONFLICT (run_id) DO UPDATE SET expires_at = EXCLUDED.expires_at, "
    "renewed_at = EXCLUDED.renewed_at, backend_pid = EXCLUDED.backend_pid, "
    "backend_start = EXCLUDED.backend_start",
    {UUIDOID, UUIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID, INT4OID, TIMESTAMPTZOID});

// The start time of the backend with this pid in the activity snapshot of
// this transaction, if it is there.
std::optional<TimestampTz> snapshot_start_of(int pid) {
    const int n = pgstat_fetch_stat_numbackends();
    for (int i = 1; i <= n; ++i) {
        LocalPgBackendStatus* local = pgstat_fetch_stat_local_beentry(i);
        if (local != nullptr && local->backendStatus.st_procpid == pid)
            return local->backendStatus.st_proc_start_timestamp;
    }
    return std::nullopt;
}

}  // namespace

std::optional<core::RunLease> lock_run_lease(const core::Uuid& run_id) {
    if (lock_lease_plan.run({p_uuid(run_id)}) == 0) return std::nullopt;
    const Row r = lock_lease_plan.row(0);
    core::RunLease lease;
    lease.expires_at = DatumGetTimestampTz(r.datum(1));
    lease.renewed_at = DatumGetTimestampTz(r.datum(2));
    if (!r.is_null(3)) lease.backend_pid = DatumGetInt32(r.datum(3));
    lease.backend_start = r.opt_timestamp(4);
    check_bound_session(lease);
    return lease;
}

void write_run_lease(const core::RenewedLease& renewed) {
    const core::RunLease& l = renewed.lease;
    write_lease_plan.run({p_uuid(renewed.run_id), p_uuid(renewed.company_id), p_timestamptz(l.expires_at),
                          p_timestamptz(l.renewed_at),
                          l.backend_pid ? p_int4(*l.backend_pid) : Param{INT4OID, Datum(0), true},
                          p_timestamptz(l.backend_start)});
}

// The process array says whether a backend with that pid exists (cheap, and
// always current); only when one does is its start time compared, to tell
// the bound session from a later one that reused the pid. The activity
// snapshot is taken once per transaction, so a backend that started after it
// is looked up again in a fresh one before it is declared gone.
bool backend_session_exists(std::int32_t pid, std::int64_t backend_start) {
    if (pid == MyProcPid) return backend_start == MyStartTimestamp;
    return pg_call([&] {
        if (BackendPidGetProc(pid) == nullptr) return false;
        std::optional<TimestampTz> start = snapshot_start_of(pid);
        if (!start) {
            pgstat_clear_backend_activity_snapshot();
            start = snapshot_start_of(pid);
        }
        return start && *start == backend_start;
    });
}

void check_bound_session(core::RunLease& lease) {
    lease.bound_session_ended =
        lease.backend_pid && !(lease.backend_start && backend_session_exists(*lease.backend_pid, *lease.backend_start));
}

}  // namespace paperclip::pg
