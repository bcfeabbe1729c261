#include <string>
#include <vector>

#include "pg/issue_rows.hpp"
#include "pg/spi.hpp"
#include "pg/sweep.hpp"

namespace paperclip::pg {

namespace {

// Locks up to $1 issues with something to clear, skipping rows other sessions
// hold. Only the ids are used: when a row changed between this statement's
// snapshot and its lock, PostgreSQL rechecks the new row version against the
// run rows it joined before, so a run the row now names looks missing.
SavedPlan candidates_plan(
    "SELECT i.id "
    "FROM {issues} AS i "
    "LEFT JOIN {heartbeat_runs} AS cr ON cr.id" PC_EQ "i.checkout_run_id "
    "LEFT JOIN {heartbeat_runs} AS er ON er.id" PC_EQ "i.execution_run_id "
    "WHERE (i.checkout_run_id IS NOT NULL OR i.execution_run_id IS NOT NULL) "
    "AND paperclip.lock_is_sweepable(i.checkout_run_id, cr.status, i.execution_run_id, er.status) "
    "LIMIT $1 FOR UPDATE OF i SKIP LOCKED",
    {INT4OID});

// The locked issues and their runs, read by a new statement whose snapshot
// sees what was committed before the rows were locked.
SavedPlan locked_plan(
    "SELECT i.id, i.company_id, i.checkout_run_id, i.execution_run_id, "
    "cr.agent_id, cr.company_id, cr.status, er.agent_id, er.company_id, er.status "
    "FROM {issues} AS i "
    "LEFT JOIN {heartbeat_runs} AS cr ON cr.id" PC_EQ "i.checkout_run_id "
    "LEFT JOIN {heartbeat_runs} AS er ON er.id" PC_EQ "i.execution_run_id "
    "WHERE i.id" PC_EQ "ANY ($1)",
    {UUIDARRAYOID});

SavedPlan apply_plan(
    "UPDATE {issues} AS i SET "
    "checkout_run_id = CASE WHEN u.clear_checkout THEN NULL ELSE i.checkout_run_id END, "
    "execution_run_id = CASE WHEN u.clear_execution THEN NULL ELSE i.execution_run_id END, "
    "execution_agent_name_key = CASE WHEN u.clear_execution THEN NULL ELSE i.execution_agent_name_key END, "
    "execution_locked_at = CASE WHEN u.clear_execution THEN NULL ELSE i.execution_locked_at END, "
    "updated_at = pg_catalog.now() "
    "FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3)) "
    "AS u(id, clear_checkout, clear_execution) "
    "WHERE i.id" PC_EQ "u.id",
    {UUIDARRAYOID, BOOLARRAYOID, BOOLARRAYOID});

void add_run(std::vector<core::RunInfo>& runs, const core::OptUuid& id, const Row& r, int first_col) {
    if (!id || r.is_null(first_col + 2)) return;  // no run row: the run is missing
    runs.push_back(core::RunInfo{*id, r.uuid(first_col), r.uuid(first_col + 1), r.text(first_col + 2)});
}

}  // namespace

std::vector<core::SweepRow> lock_sweep_batch(int batch_size) {
    const auto locked = candidates_plan.run({p_int4(batch_size)});
    std::vector<core::Uuid> ids;
    for (std::uint64_t i = 0; i < locked; ++i) ids.push_back(candidates_plan.row(i).uuid(1));
    std::vector<core::SweepRow> out;
    if (ids.empty()) return out;
    const auto n = locked_plan.run({p_uuids(ids)});
    for (std::uint64_t i = 0; i < n; ++i) {
        const Row r = locked_plan.row(i);
        core::IssueState s;
        s.id = r.uuid(1);
        s.company_id = r.uuid(2);
        s.checkout_run_id = r.opt_uuid(3);
        s.execution_run_id = r.opt_uuid(4);
        std::vector<core::RunInfo> runs;
        add_run(runs, s.checkout_run_id, r, 5);
        if (s.execution_run_id != s.checkout_run_id) add_run(runs, s.execution_run_id, r, 8);
        out.push_back({s, core::RunSet(std::move(runs))});
    }
    return out;
}

void apply_sweep(const std::vector<core::IssueState>& cleared) {
    if (cleared.empty()) return;
    std::vector<core::Uuid> ids;
    std::vector<bool> clear_checkout, clear_execution;
    for (const auto& s : cleared) {
        ids.push_back(s.id);
        clear_checkout.push_back(!s.checkout_run_id);
        clear_execution.push_back(!s.execution_run_id);
    }
    ExtensionWrite extension_write;
    apply_plan.run({p_uuids(ids), p_bools(clear_checkout), p_bools(clear_execution)});
}

}  // namespace paperclip::pg
