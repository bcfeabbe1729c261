#include <optional>
#include <string>
#include <vector>

#include "pg/attachment.hpp"
#include "pg/issue_rows.hpp"
#include "pg/run_leases.hpp"
#include "pg/spi.hpp"
#include "pg/sweep.hpp"

namespace paperclip::pg {

namespace {

// Locks up to $1 issues with something to clear, skipping rows other sessions
// hold. Only the ids are used: when a row changed between this statement's
// snapshot and its lock, PostgreSQL rechecks the new row version against the
// run rows it joined before, so a run the row now names looks missing.
// The filter is the core's rule (lock_is_sweepable), with the runs' leases
// (SPEC §9) -- a lease row and the attached lease column end a run alike, so
// the filter is given the earlier of the two expiries; a database still at
// 1.0 has no run_leases and the 1.0 filter.
#define SWEEP_JOINS                                                                  \
    "FROM {issues} AS i "                                                            \
    "LEFT JOIN {heartbeat_runs} AS cr ON cr.id" PC_EQ "i.checkout_run_id "           \
    "LEFT JOIN {run_leases} AS cl ON cl.run_id" PC_EQ "i.checkout_run_id "           \
    "LEFT JOIN {heartbeat_runs} AS er ON er.id" PC_EQ "i.execution_run_id "          \
    "LEFT JOIN {run_leases} AS el ON el.run_id" PC_EQ "i.execution_run_id "
// Each batch walks on by id from where the last one stopped (keyset, see
// lock_sweep_batch): $2 bounds the ids, "after" the resume key or "up to" it.
#define SWEEP_CANDIDATES                                                                                     \
    "SELECT i.id " SWEEP_JOINS                                                                               \
    "WHERE (i.checkout_run_id IS NOT NULL OR i.execution_run_id IS NOT NULL) "                               \
    "AND paperclip.lock_is_sweepable(i.checkout_run_id, cr.status, "                                        \
    "LEAST(cl.expires_at, {cr.run_lease_expiry}), cl.backend_pid, cl.backend_start, i.execution_run_id, "   \
    "er.status, LEAST(el.expires_at, {er.run_lease_expiry}), el.backend_pid, el.backend_start) "
#define SWEEP_CANDIDATES_NO_LEASES                                                                           \
    "SELECT i.id "                                                                                           \
    "FROM {issues} AS i "                                                                                    \
    "LEFT JOIN {heartbeat_runs} AS cr ON cr.id" PC_EQ "i.checkout_run_id "                                   \
    "LEFT JOIN {heartbeat_runs} AS er ON er.id" PC_EQ "i.execution_run_id "                                  \
    "WHERE (i.checkout_run_id IS NOT NULL OR i.execution_run_id IS NOT NULL) "                               \
    "AND paperclip.lock_is_sweepable(i.checkout_run_id, cr.status, i.execution_run_id, er.status) "
#define SWEEP_AFTER "AND i.id OPERATOR(pg_catalog.>) $2 ORDER BY i.id LIMIT $1 FOR UPDATE OF i SKIP LOCKED"
#define SWEEP_UP_TO "AND i.id OPERATOR(pg_catalog.<=) $2 ORDER BY i.id LIMIT $1 FOR UPDATE OF i SKIP LOCKED"
// Planned per call: with many locks (a backlog to drain) the best plan walks
// the primary key in order and stops after $1 candidates, so a drain reads
// each issue once; with few (the lease reaper's pass every second on a
// healthy database) it reads the locked rows through the partial lock-column
// indexes and sorts them, without touching the rest of the table. A generic
// plan cannot tell the two apart (it guesses 10 % of the rows for LIMIT $1)
// and kept the primary-key walk: a pass over every issue per idle call.
SavedPlan candidates_after_plan(SWEEP_CANDIDATES SWEEP_AFTER, {INT4OID, UUIDOID}, Planning::per_call);
SavedPlan candidates_up_to_plan(SWEEP_CANDIDATES SWEEP_UP_TO, {INT4OID, UUIDOID}, Planning::per_call);
SavedPlan candidates_no_leases_after_plan(SWEEP_CANDIDATES_NO_LEASES SWEEP_AFTER, {INT4OID, UUIDOID},
                                          Planning::per_call);
SavedPlan candidates_no_leases_up_to_plan(SWEEP_CANDIDATES_NO_LEASES SWEEP_UP_TO, {INT4OID, UUIDOID},
                                          Planning::per_call);

// Where this backend's next batch starts: after the last issue the previous
// batch took, or the start of the table (none). Kept per attachment: a new
// attached schema starts from the start.
std::optional<core::Uuid> g_resume_after;
std::uint64_t g_resume_generation = 0;

// The largest uuid: "up to" it is the whole table.
core::Uuid max_uuid() {
    core::Uuid u;
    u.bytes.fill(0xff);
    return u;
}

// The locked issues and their runs, read by a new statement whose snapshot
// sees what was committed before the rows were locked.
SavedPlan locked_plan(
    "SELECT i.id, i.company_id, i.checkout_run_id, i.execution_run_id, "
    "cr.agent_id, cr.company_id, cr.status, cl.expires_at, cl.renewed_at, cl.backend_pid, cl.backend_start, "
    "er.agent_id, er.company_id, er.status, el.expires_at, el.renewed_at, el.backend_pid, el.backend_start, "
    "{cr.run_lease_expiry}, {er.run_lease_expiry} "
    SWEEP_JOINS "WHERE i.id" PC_EQ "ANY ($1)",
    {UUIDARRAYOID});
SavedPlan locked_no_leases_plan(
    "SELECT i.id, i.company_id, i.checkout_run_id, i.execution_run_id, "
    "cr.agent_id, cr.company_id, cr.status, NULL, NULL, NULL, NULL, "
    "er.agent_id, er.company_id, er.status, NULL, NULL, NULL, NULL, NULL, NULL "
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

void add_run(std::vector<core::RunInfo>& runs, const core::OptUuid& id, const Row& r, int first_col,
             int app_lease_col) {
    if (!id || r.is_null(first_col + 2)) return;  // no run row: the run is missing
    core::RunInfo run{*id, r.uuid(first_col), r.uuid(first_col + 1), r.text(first_col + 2)};
    run.lease = lease_from(r, first_col + 3);
    run.app_lease = app_lease_from(r, app_lease_col);
    runs.push_back(std::move(run));
}

}  // namespace

std::vector<core::SweepRow> lock_sweep_batch(int batch_size) {
    const bool leases = leases_installed();
    SavedPlan& after = leases ? candidates_after_plan : candidates_no_leases_after_plan;
    SavedPlan& up_to = leases ? candidates_up_to_plan : candidates_no_leases_up_to_plan;
    SavedPlan& locked = leases ? locked_plan : locked_no_leases_plan;
    // Keyset: a batch never re-reads what earlier batches passed over (the
    // live locks, the rows other sessions held), so draining N locks reads
    // each issue once instead of once per batch. It takes the candidates
    // after the resume key in id order; when those run out before the batch
    // is full, it wraps around to the start of the table and goes on up to
    // the key. A batch that comes back short has looked at every issue once,
    // so a 0 still means "nothing left to clear" (SPEC §4.8), and the next
    // batch starts from the start again; a full one resumes after its last id.
    if (g_resume_generation != attachment_generation()) {
        g_resume_after.reset();
        g_resume_generation = attachment_generation();
    }
    std::vector<core::Uuid> ids;
    auto take = [&](SavedPlan& plan, const core::Uuid& bound) {
        const auto n = plan.run({p_int4(batch_size - static_cast<int>(ids.size())), p_uuid(bound)});
        for (std::uint64_t i = 0; i < n; ++i) ids.push_back(plan.row(i).uuid(1));
    };
    if (g_resume_after) take(after, *g_resume_after);
    if (static_cast<int>(ids.size()) < batch_size) take(up_to, g_resume_after ? *g_resume_after : max_uuid());
    if (static_cast<int>(ids.size()) == batch_size)
        g_resume_after = ids.back();
    else
        g_resume_after.reset();
    std::vector<core::SweepRow> out;
    if (ids.empty()) return out;
    const auto n = locked.run({p_uuids(ids)});
    std::vector<core::IssueState> issues;
    std::vector<core::RunInfo> runs;  // every row's runs; a run shared by rows appears once per row
    std::vector<std::size_t> first_run;
    for (std::uint64_t i = 0; i < n; ++i) {
        const Row r = locked.row(i);
        core::IssueState s;
        s.id = r.uuid(1);
        s.company_id = r.uuid(2);
        s.checkout_run_id = r.opt_uuid(3);
        s.execution_run_id = r.opt_uuid(4);
        first_run.push_back(runs.size());
        add_run(runs, s.checkout_run_id, r, 5, 19);
        if (s.execution_run_id != s.checkout_run_id) add_run(runs, s.execution_run_id, r, 12, 20);
        issues.push_back(s);
    }
    // The sweep holds no run row: an expiry is confirmed under the run row's
    // lock, taken without waiting (a renewal in flight holds it).
    if (leases) {
        confirm_ended_leases_skip_locked(runs);
        record_column_deaths(runs);  // only runs whose rows it locked are still judged by the column
    }
    first_run.push_back(runs.size());
    for (std::size_t i = 0; i < issues.size(); ++i)
        out.push_back({issues[i], core::RunSet(std::vector<core::RunInfo>(runs.begin() + first_run[i],
                                                                          runs.begin() + first_run[i + 1]))});
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
