#include "pg/run_leases.hpp"

#include "core/liveness.hpp"
#include "pg/terminal_statuses.hpp"

extern "C" {
#include "storage/procarray.h"
#include "utils/backend_status.h"
}

namespace paperclip::pg {

namespace {

#define LEASE_COLUMNS "l.expires_at, l.renewed_at, l.backend_pid, l.backend_start"

// A renewal locks the run row and reads its lease in one statement; the
// lease row itself is written only by renewals, each under its run row's
// lock, so it needs no lock of its own.
SavedPlan lock_run_plan("SELECT r.id, r.agent_id, r.company_id, r.status, " LEASE_COLUMNS ", {r.run_lease_expiry} "
                        "FROM {heartbeat_runs} AS r LEFT JOIN {run_leases} AS l ON l.run_id" PC_EQ "r.id "
                        "WHERE r.id" PC_EQ "$1 FOR NO KEY UPDATE OF r",
                        {UUIDOID});
// Both lease signals of these runs: the lease row and the attached lease column.
SavedPlan read_leases_plan("SELECT r.id, " LEASE_COLUMNS ", {r.run_lease_expiry} "
                           "FROM {heartbeat_runs} AS r LEFT JOIN {run_leases} AS l ON l.run_id" PC_EQ "r.id "
                           "WHERE r.id" PC_EQ "ANY ($1)",
                           {UUIDARRAYOID});
// A death the attached lease column shows, recorded in the lease row (the
// column's value as the expiry; an earlier expiry stays), so that it stays
// final when the application moves the column forward again.
SavedPlan record_death_plan(
    "INSERT INTO {run_leases} AS l (run_id, company_id, expires_at, renewed_at) VALUES ($1, $2, $3, $3) "
    "ON CONFLICT (run_id) DO UPDATE SET expires_at = LEAST(l.expires_at, EXCLUDED.expires_at)",
    {UUIDOID, UUIDOID, TIMESTAMPTZOID});
SavedPlan lock_runs_skip_locked_plan("SELECT r.id FROM {heartbeat_runs} AS r WHERE r.id" PC_EQ "ANY ($1) "
                                     "ORDER BY r.id FOR NO KEY UPDATE SKIP LOCKED",
                                     {UUIDARRAYOID});
SavedPlan write_lease_plan(
    "INSERT INTO {run_leases} AS l (run_id, company_id, expires_at, renewed_at, backend_pid, backend_start) "
    "VALUES ($1, $2, $3, $4, $5, $6) "
    "ON CONFLICT (run_id) DO UPDATE SET expires_at = EXCLUDED.expires_at, "
    "renewed_at = EXCLUDED.renewed_at, backend_pid = EXCLUDED.backend_pid, "
    "backend_start = EXCLUDED.backend_start",
    {UUIDOID, UUIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID, INT4OID, TIMESTAMPTZOID});

// The start time of the backend with this pid in this transaction's
// activity snapshot, if it is there.
std::optional<TimestampTz> snapshot_start_of(int pid) {
    const int n = pgstat_fetch_stat_numbackends();
    for (int i = 1; i <= n; ++i) {
        LocalPgBackendStatus* local = pgstat_fetch_stat_local_beentry(i);
        if (local != nullptr && local->backendStatus.st_procpid == pid)
            return local->backendStatus.st_proc_start_timestamp;
    }
    return std::nullopt;
}

core::RunLease judged(core::RunLease lease, std::int64_t at) {
    lease.judged_at = at;
    lease.bound_session_ended =
        lease.backend_pid && !(lease.backend_start && backend_session_exists(*lease.backend_pid, *lease.backend_start));
    return lease;
}

std::optional<core::RunLease> read_lease_columns(const Row& r, int first_col, std::int64_t at) {
    if (r.is_null(first_col)) return std::nullopt;
    core::RunLease lease;
    lease.expires_at = DatumGetTimestampTz(r.datum(first_col));
    lease.renewed_at = DatumGetTimestampTz(r.datum(first_col + 1));
    if (!r.is_null(first_col + 2)) lease.backend_pid = DatumGetInt32(r.datum(first_col + 2));
    lease.backend_start = r.opt_timestamp(first_col + 3);
    return judged(lease, at);
}

std::optional<core::AppLease> read_app_lease(const Row& r, int col, std::int64_t at) {
    if (r.is_null(col)) return std::nullopt;
    return core::AppLease{DatumGetTimestampTz(r.datum(col)), at};
}

bool lease_looks_ended(const core::RunInfo& run) {
    return (run.lease && core::lease_state(*run.lease) != core::LeaseState::Holds) ||
           (run.app_lease && core::app_lease_ended(*run.app_lease));
}

// Reads the leases of `ids` again (a new statement, a new snapshot) into runs.
void reread_leases(std::vector<core::RunInfo>& runs, const std::vector<core::Uuid>& ids) {
    const std::int64_t at = GetCurrentStatementStartTimestamp();
    const auto n = read_leases_plan.run({p_uuids(ids)});
    for (auto& run : runs)
        for (const auto& id : ids)
            if (run.id == id) {
                run.lease.reset();
                run.app_lease.reset();
            }
    for (std::uint64_t i = 0; i < n; ++i) {
        const Row r = read_leases_plan.row(i);
        const core::Uuid id = r.uuid(1);
        for (auto& run : runs)
            if (run.id == id) {
                run.lease = read_lease_columns(r, 2, at);
                run.app_lease = read_app_lease(r, 6, at);
            }
    }
}

std::vector<core::Uuid> ended_looking(const std::vector<core::RunInfo>& runs) {
    std::vector<core::Uuid> ids;
    for (const auto& run : runs)
        if (lease_looks_ended(run)) ids.push_back(run.id);
    return ids;
}

}  // namespace

bool leases_installed() {
    return pg_call([] {
        const Oid ns = get_namespace_oid("paperclip", true);
        return OidIsValid(ns) && OidIsValid(get_relname_relid("run_leases", ns));
    });
}

std::optional<core::RunLease> lease_from(const Row& r, int first_col) {
    return read_lease_columns(r, first_col, GetCurrentStatementStartTimestamp());
}

std::optional<core::AppLease> app_lease_from(const Row& r, int col) {
    return read_app_lease(r, col, GetCurrentStatementStartTimestamp());
}

std::optional<core::RunLease> lease_of(const std::optional<std::int64_t>& expires_at,
                                       const std::optional<std::int32_t>& backend_pid,
                                       const core::OptTimestamp& backend_start) {
    if (!expires_at) return std::nullopt;
    core::RunLease lease;
    lease.expires_at = *expires_at;
    lease.backend_pid = backend_pid;
    lease.backend_start = backend_start;
    return judged(lease, GetCurrentStatementStartTimestamp());
}

void confirm_ended_leases(std::vector<core::RunInfo>& runs) {
    const std::vector<core::Uuid> ids = ended_looking(runs);
    if (!ids.empty()) reread_leases(runs, ids);
}

void confirm_ended_leases_skip_locked(std::vector<core::RunInfo>& runs) {
    const std::vector<core::Uuid> ids = ended_looking(runs);
    if (ids.empty()) return;
    const auto n = lock_runs_skip_locked_plan.run({p_uuids(ids)});
    std::vector<core::Uuid> locked;
    for (std::uint64_t i = 0; i < n; ++i) locked.push_back(lock_runs_skip_locked_plan.row(i).uuid(1));
    // A run row another session holds: this pass ignores the lease it could
    // not confirm, so the run is judged by its status alone and keeps its
    // locks until a later pass.
    for (auto& run : runs) {
        bool is_locked = false;
        for (const auto& id : locked) is_locked = is_locked || id == run.id;
        if (lease_looks_ended(run) && !is_locked) {
            run.lease.reset();
            run.app_lease.reset();
        }
    }
    if (!locked.empty()) reread_leases(runs, locked);
}

std::optional<core::RunInfo> lock_run_for_renewal(const core::Uuid& run_id, std::int64_t& now) {
    if (lock_run_plan.run({p_uuid(run_id)}) == 0) return std::nullopt;
    now = GetCurrentTimestamp();  // after the run row is ours
    const Row r = lock_run_plan.row(0);
    std::vector<core::RunInfo> runs{core::RunInfo{r.uuid(1), r.uuid(2), r.uuid(3), r.text(4)}};
    runs[0].lease = read_lease_columns(r, 5, now);
    runs[0].app_lease = read_app_lease(r, 9, now);
    // A renewal this one waited for may have committed a newer lease than the
    // statement read (PostgreSQL rechecks the locked run row, not the joined
    // lease row): a lease that looks ended is read again.
    if (lease_looks_ended(runs[0])) {
        reread_leases(runs, {run_id});
        if (runs[0].lease) runs[0].lease = judged(*runs[0].lease, now);
        if (runs[0].app_lease) runs[0].app_lease->judged_at = now;
    }
    return runs[0];
}

void record_column_deaths(const std::vector<core::RunInfo>& runs) {
    const core::RunStatusPartition& partition = run_status_partition();
    std::vector<core::Uuid> done;
    for (const auto& run : runs) {
        const core::OptTimestamp expiry = core::death_to_record(run, partition);
        if (!expiry) continue;
        bool seen = false;
        for (const auto& id : done) seen = seen || id == run.id;
        if (seen) continue;
        done.push_back(run.id);
        record_death_plan.run({p_uuid(run.id), p_uuid(run.company_id), p_timestamptz(expiry)});
    }
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

}  // namespace paperclip::pg
