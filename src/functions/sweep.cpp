// paperclip.sweep_stale_locks(batch_size) (SPEC §4.8): clears the stale locks of
// at most batch_size issues, skipping rows other sessions hold.
#include <vector>

#include "entry_points.hpp"
#include "pg/args.hpp"
#include "pg/operation.hpp"
#include "pg/sweep.hpp"

namespace paperclip::functions {

Datum sweep_stale_locks(FunctionCallInfo fcinfo) {
    const int batch_size = pg::arg_int(fcinfo, 0, "batchSize");
    pg::Operation op;
    core::require_sweep_allowed(op.actor, batch_size);

    const std::vector<core::SweepRow> rows = pg::lock_sweep_batch(batch_size);
    const std::vector<core::Outcome> outcomes = core::decide_sweep(rows, pg::run_status_partition());
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

// The sweep's candidate filter: true when clearing would change something.
// Asks the same rule as the sweep, so it never selects what it will not clear.
Datum lock_is_sweepable(FunctionCallInfo fcinfo) {
    core::SweepRow row;
    row.issue.checkout_run_id = pg::arg_opt_uuid(fcinfo, 0);
    row.issue.execution_run_id = pg::arg_opt_uuid(fcinfo, 2);
    const core::OptText checkout_status = pg::arg_opt_text(fcinfo, 1);
    const core::OptText execution_status = pg::arg_opt_text(fcinfo, 3);
    std::vector<core::RunInfo> runs;
    if (row.issue.checkout_run_id && checkout_status)
        runs.push_back(core::RunInfo{*row.issue.checkout_run_id, {}, {}, *checkout_status});
    if (row.issue.execution_run_id && execution_status && row.issue.execution_run_id != row.issue.checkout_run_id)
        runs.push_back(core::RunInfo{*row.issue.execution_run_id, {}, {}, *execution_status});
    row.runs = core::RunSet(std::move(runs));
    PG_RETURN_BOOL(!core::decide_sweep({row}, pg::run_status_partition()).empty());
}

}  // namespace paperclip::functions
