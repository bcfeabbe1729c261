// paperclip.sweep_stale_locks(batch_size) (SPEC §4.8): clears the stale locks of
// at most batch_size issues, skipping rows other sessions hold.
#include <vector>

#include "entry_points.hpp"
#include "pg/args.hpp"
#include "pg/lease_reaper.hpp"
#include "pg/operation.hpp"
#include "pg/run_leases.hpp"
#include "pg/sweep.hpp"

namespace paperclip::functions {

Datum sweep_stale_locks(FunctionCallInfo fcinfo) {
    const int batch_size = pg::arg_int(fcinfo, 0, "batchSize");
    pg::Operation op;
    core::require_sweep_allowed(op.actor, batch_size);

    const std::vector<core::SweepRow> rows = pg::lock_sweep_batch(batch_size);
    const std::vector<core::Outcome> outcomes = core::decide_sweep(rows, pg::run_status_partition(), pg::sweep_source());
    std::vector<core::IssueState> cleared;
    std::vector<pg::AuditRow> audit;
    for (const auto& o : outcomes) {
        cleared.push_back(o.result);
        for (const auto& e : o.audit) audit.push_back({o.result.company_id, o.result.id, e});
    }
    pg::apply_sweep(cleared);
    pg::write_audit(op.actor, audit);
    op.finish();
    PG_RETURN_INT64(static_cast<int64>(cleared.size()));
}

namespace {

std::optional<std::int64_t> arg_opt_timestamptz(FunctionCallInfo fcinfo, int n) {
    if (PG_ARGISNULL(n)) return std::nullopt;
    return PG_GETARG_TIMESTAMPTZ(n);
}
std::optional<std::int32_t> arg_opt_int4(FunctionCallInfo fcinfo, int n) {
    if (PG_ARGISNULL(n)) return std::nullopt;
    return PG_GETARG_INT32(n);
}

// One lock column's run, from the filter's arguments: (run id, status) and,
// with leases, (expires_at, backend_pid, backend_start). No status: no run row.
void add_run_arg(std::vector<core::RunInfo>& runs, FunctionCallInfo fcinfo, const core::OptUuid& id,
                 int status_arg, int lease_arg) {
    const core::OptText status = pg::arg_opt_text(fcinfo, status_arg);
    if (!id || !status) return;
    for (const auto& r : runs)
        if (r.id == *id) return;
    core::RunInfo run{*id, {}, {}, *status};
    if (lease_arg >= 0)
        run.lease = pg::lease_of(arg_opt_timestamptz(fcinfo, lease_arg), arg_opt_int4(fcinfo, lease_arg + 1),
                                 arg_opt_timestamptz(fcinfo, lease_arg + 2));
    runs.push_back(std::move(run));
}

bool sweepable(core::SweepRow row, std::vector<core::RunInfo> runs) {
    row.runs = core::RunSet(std::move(runs));
    return !core::decide_sweep({row}, pg::run_status_partition()).empty();
}

}  // namespace

// The sweep's candidate filter: true when clearing would change something.
// Asks the same rule as the sweep, so it never selects what it will not clear.
// (checkout_run_id, its status, its lease's expires_at, backend_pid,
// backend_start, then the same five for execution_run_id.)
Datum lock_is_sweepable(FunctionCallInfo fcinfo) {
    core::SweepRow row;
    row.issue.checkout_run_id = pg::arg_opt_uuid(fcinfo, 0);
    row.issue.execution_run_id = pg::arg_opt_uuid(fcinfo, 5);
    std::vector<core::RunInfo> runs;
    add_run_arg(runs, fcinfo, row.issue.checkout_run_id, 1, 2);
    add_run_arg(runs, fcinfo, row.issue.execution_run_id, 6, 7);
    PG_RETURN_BOOL(sweepable(row, std::move(runs)));
}

// The filter by status alone (checkout_run_id, status, execution_run_id,
// status): 1.0's signature, kept for the applications that call it; the
// sweep uses it on a database not yet updated to 1.1 (no leases there).
Datum lock_is_sweepable_by_status(FunctionCallInfo fcinfo) {
    core::SweepRow row;
    row.issue.checkout_run_id = pg::arg_opt_uuid(fcinfo, 0);
    row.issue.execution_run_id = pg::arg_opt_uuid(fcinfo, 2);
    std::vector<core::RunInfo> runs;
    add_run_arg(runs, fcinfo, row.issue.checkout_run_id, 1, -1);
    add_run_arg(runs, fcinfo, row.issue.execution_run_id, 3, -1);
    PG_RETURN_BOOL(sweepable(row, std::move(runs)));
}

}  // namespace paperclip::functions
