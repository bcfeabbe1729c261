// paperclip.sweep_stale_locks(batch_size) (SPEC §4.8): clears the stale locks of
// at most batch_size issues, skipping rows other sessions hold. Set-based: four
// statements per batch, whatever its size. It locks no run row and waits for
// no lock, so it cannot take part in a deadlock.
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "pg/args.hpp"
#include "pg/operation.hpp"

using namespace paperclip;

namespace {

// Locks up to $1 issues with something to clear, skipping rows other sessions
// hold. Only the ids are used: when a row changed between this statement's
// snapshot and its lock, PostgreSQL rechecks the new row version against the
// run rows it joined before, so a run the row now names looks missing.
pg::SavedPlan candidates_plan(
    "SELECT i.id "
    "FROM paperclip.issues AS i "
    "LEFT JOIN paperclip.heartbeat_runs AS cr ON cr.id" PC_EQ "i.checkout_run_id "
    "LEFT JOIN paperclip.heartbeat_runs AS er ON er.id" PC_EQ "i.execution_run_id "
    "WHERE (i.checkout_run_id IS NOT NULL OR i.execution_run_id IS NOT NULL) "
    "AND paperclip.lock_is_sweepable(i.checkout_run_id, cr.status, i.execution_run_id, er.status) "
    "LIMIT $1 FOR UPDATE OF i SKIP LOCKED",
    {INT4OID});

// The locked issues and their runs, read by a new statement whose snapshot
// sees what was committed before the rows were locked.
pg::SavedPlan locked_plan(
    "SELECT i.id, i.company_id, i.checkout_run_id, i.execution_run_id, "
    "cr.agent_id, cr.company_id, cr.status, er.agent_id, er.company_id, er.status "
    "FROM paperclip.issues AS i "
    "LEFT JOIN paperclip.heartbeat_runs AS cr ON cr.id" PC_EQ "i.checkout_run_id "
    "LEFT JOIN paperclip.heartbeat_runs AS er ON er.id" PC_EQ "i.execution_run_id "
    "WHERE i.id" PC_EQ "ANY ($1)",
    {UUIDARRAYOID});

pg::SavedPlan apply_plan(
    "UPDATE paperclip.issues AS i SET "
    "checkout_run_id = CASE WHEN u.clear_checkout THEN NULL ELSE i.checkout_run_id END, "
    "execution_run_id = CASE WHEN u.clear_execution THEN NULL ELSE i.execution_run_id END, "
    "execution_agent_name_key = CASE WHEN u.clear_execution THEN NULL ELSE i.execution_agent_name_key END, "
    "execution_locked_at = CASE WHEN u.clear_execution THEN NULL ELSE i.execution_locked_at END, "
    "updated_at = pg_catalog.now() "
    "FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3)) "
    "AS u(id, clear_checkout, clear_execution) "
    "WHERE i.id" PC_EQ "u.id",
    {UUIDARRAYOID, BOOLARRAYOID, BOOLARRAYOID});

pg::SavedPlan audit_plan(
    "INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, "
    "entity_id, details) "
    "SELECT u.company_id, $4, $5, 'issue.stale_lock_cleared', 'issue', u.issue_id::pg_catalog.text, "
    "u.details::pg_catalog.jsonb "
    "FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3)) "
    "AS u(company_id, issue_id, details)",
    {UUIDARRAYOID, UUIDARRAYOID, TEXTARRAYOID, TEXTOID, TEXTOID});

void add_run(std::vector<core::RunInfo>& runs, const core::OptUuid& id, const pg::Row& r, int first_col) {
    if (!id || r.is_null(first_col + 2)) return;  // no run row: missing counts as terminal
    runs.push_back(core::RunInfo{*id, r.uuid(first_col), r.uuid(first_col + 1), r.text(first_col + 2)});
}

}  // namespace

PAPERCLIP_FUNCTION(paperclip_sweep_stale_locks) {
    const int batch_size = pg::arg_int(fcinfo, 0, "batchSize");
    if (batch_size <= 0) core::fail_validation("batchSize", "must be a positive integer");

    pg::Operation op;
    if (!op.actor.is_operator())
        throw core::PcError(core::ErrorCode::Forbidden, "sweep_stale_locks requires the database operator privilege",
                            {}, "Run it without an actor, as a role granted paperclip_operator.");
    const core::RunStatusPartition& partition = pg::run_status_partition();

    const auto locked = candidates_plan.run({pg::p_int4(batch_size)});
    std::vector<core::Uuid> locked_ids;
    for (std::uint64_t i = 0; i < locked; ++i) locked_ids.push_back(candidates_plan.row(i).uuid(1));
    const auto n = locked_ids.empty() ? 0 : locked_plan.run({pg::p_uuids(locked_ids)});
    std::vector<core::Uuid> ids, audit_companies, audit_issues;
    std::vector<bool> clear_checkout, clear_execution;
    std::vector<std::string> audit_details;
    for (std::uint64_t i = 0; i < n; ++i) {
        const pg::Row r = locked_plan.row(i);
        core::IssueState s;
        s.id = r.uuid(1);
        s.company_id = r.uuid(2);
        s.checkout_run_id = r.opt_uuid(3);
        s.execution_run_id = r.opt_uuid(4);
        std::vector<core::RunInfo> run_rows;
        add_run(run_rows, s.checkout_run_id, r, 5);
        if (s.execution_run_id != s.checkout_run_id) add_run(run_rows, s.execution_run_id, r, 8);
        const core::RunSet runs(std::move(run_rows));
        const core::LockRules rules(partition, runs);
        core::IssueState cleared = s;
        const auto clearings = rules.clear_terminal_locks(cleared);
        if (clearings.empty()) continue;
        ids.push_back(s.id);
        clear_checkout.push_back(!cleared.checkout_run_id);
        clear_execution.push_back(!cleared.execution_run_id);
        for (const auto& c : clearings) {
            audit_companies.push_back(s.company_id);
            audit_issues.push_back(s.id);
            audit_details.push_back(core::stale_lock_cleared_entry(s.id, c, "sweep").details.str());
        }
    }
    if (!ids.empty()) {
        pg::ExtensionWrite extension_write;
        apply_plan.run({pg::p_uuids(ids), pg::p_bools(clear_checkout), pg::p_bools(clear_execution)});
        const core::AuditActor who = core::audit_actor_of(op.actor);
        audit_plan.run({pg::p_uuids(audit_companies), pg::p_uuids(audit_issues), pg::p_texts(audit_details),
                        pg::p_text(who.actor_type), pg::p_text(who.actor_id)});
    }
    op.spi.finish();
    PG_RETURN_INT64(static_cast<int64>(ids.size()));
}

// The sweep's candidate filter: true when clearing would change something.
// Shares the core's rule so the sweep never selects what it will not clear.
PAPERCLIP_FUNCTION(paperclip_lock_is_sweepable) {
    core::IssueState s;
    s.checkout_run_id = pg::arg_opt_uuid(fcinfo, 0);
    s.execution_run_id = pg::arg_opt_uuid(fcinfo, 2);
    const core::OptText checkout_status = pg::arg_opt_text(fcinfo, 1);
    const core::OptText execution_status = pg::arg_opt_text(fcinfo, 3);
    std::vector<core::RunInfo> run_rows;
    if (s.checkout_run_id && checkout_status)
        run_rows.push_back(core::RunInfo{*s.checkout_run_id, {}, {}, *checkout_status});
    if (s.execution_run_id && execution_status && s.execution_run_id != s.checkout_run_id)
        run_rows.push_back(core::RunInfo{*s.execution_run_id, {}, {}, *execution_status});
    const core::RunSet runs(std::move(run_rows));
    const core::LockRules rules(pg::run_status_partition(), runs);
    PG_RETURN_BOOL(!rules.clear_terminal_locks(s).empty());
}
