// heartbeat_runs: who may write a run (an agent only its own: marking another
// agent's run failed or deleting it would steal that agent's lock), and what
// happens when a run turns terminal (its locks are released at once).
#include <string>
#include <vector>

#include "core/compat.hpp"
#include "core/errors.hpp"
#include "core/write_gate.hpp"
#include "pg/issue_tuple.hpp"
#include "entry_points.hpp"
#include "pg/attachment.hpp"
#include "pg/operation.hpp"
#include "pg/terminal_statuses.hpp"
#include "pg/run_leases.hpp"
#include "pg/trigger.hpp"

namespace paperclip::triggers {


namespace {

struct RunRow {
    core::OptUuid agent_id;
    core::OptUuid company_id;
};

RunRow run_row(HeapTuple tuple, TupleDesc desc) {
    return {pg::uuid_column(tuple, desc, pg::column_of(desc, "agent_id")),
            pg::uuid_column(tuple, desc, pg::column_of(desc, "company_id"))};
}

// SPEC §10, for every writer (operators included): a run's id never changes,
// and its company is its agent's company -- a run of another company's agent
// would let that company's board end (and release) the agent's locks.
void require_run_integrity(const TriggerData* td, TupleDesc desc) {
    if (TRIGGER_FIRED_BY_DELETE(td->tg_event)) return;
    const int id_col = pg::column_of(desc, "id");
    const RunRow proposed = run_row(pg::unchanged_row(td), desc);
    bool check_agent = TRIGGER_FIRED_BY_INSERT(td->tg_event);
    if (TRIGGER_FIRED_BY_UPDATE(td->tg_event)) {
        core::require_primary_key_unchanged("heartbeat_runs", pg::uuid_column(td->tg_trigtuple, desc, id_col),
                                            pg::uuid_column(td->tg_newtuple, desc, id_col));
        const RunRow current = run_row(td->tg_trigtuple, desc);
        check_agent = proposed.agent_id != current.agent_id || proposed.company_id != current.company_id;
    }
    if (!check_agent || !proposed.agent_id || !proposed.company_id) return;
    pg::OwnerScope scope;
    const auto agent = pg::find_agent(*proposed.agent_id);
    core::require_run_in_agent_company(*proposed.company_id, *proposed.agent_id, agent ? &*agent : nullptr);
    scope.finish();
}

// Loads the board user's membership, then asks the core rule.
void require_run_write(const core::Actor& actor, const RunRow& row) {
    const auto membership = row.company_id ? pg::membership_of(actor, *row.company_id) : std::nullopt;
    core::check_run_write(actor, row.agent_id, row.company_id, membership);
}

// Deleting a run nulls the lock columns naming it through the foreign keys'
// ON DELETE SET NULL cascade, in the reverse of SPEC §7's order: the issues
// naming the run are locked first, without waiting
// (pg::lock_issues_naming_run_nowait explains why); one another transaction
// holds fails the DELETE at once with 55P03, with a message saying so.
void lock_issues_before_run_delete(HeapTuple run, TupleDesc desc) {
    const core::OptUuid run_id = pg::uuid_column(run, desc, pg::column_of(desc, "id"));
    if (!run_id) return;
    pg::OwnerScope scope;
    try {
        pg::lock_issues_naming_run_nowait(*run_id);
    } catch (const pg::PgError& e) {
        ErrorData* data = e.data();
        if (data == nullptr || data->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE) throw;
        const std::string id = run_id->to_string();
        pg::pg_call([&] {
            data->message = psprintf("heartbeat run %s cannot be deleted now: an issue naming it is "
                                     "locked by another transaction", id.c_str());
            data->detail = pstrdup("Deleting the run would wait for that issue row while holding the run "
                                   "row, the reverse of the lock order (issue first, then run), and could "
                                   "deadlock with a paperclip function.");
            data->hint = pstrdup("Retry the DELETE when that transaction has ended.");
        });
        throw;
    }
    scope.finish();
}

// Death is final (SPEC §9) with an attached lease column: an UPDATE that
// changes the column of a run it shows dead -- upstream's server pushes it
// 60 s forward while it takes over a lost run, before marking the run failed
// -- first writes that death into the run's lease row (the column's old
// value as the expiry), in this transaction. The write itself proceeds: the
// server's takeover must keep working (SPEC §8), and the run stays dead.
// Judged at the start of the statement, as every rule judges a lease: a
// renewal whose own check found the column still ahead of the clock is
// never taken for a death (the statement began earlier still). A revocation
// racing the expiry inside its own statement is not recorded; nothing of
// ours acted on that death (an operation that did holds the run row and
// recorded it first).
void record_death_before_revival(const TriggerData* td, TupleDesc desc) {
    if (!TRIGGER_FIRED_BY_UPDATE(td->tg_event)) return;
    const std::optional<std::string>& column = pg::attachment().run_lease_column;
    if (!column) return;
    const int col = pg::column_of(desc, column->c_str());
    const core::OptTimestamp before = pg::timestamp_column(td->tg_trigtuple, desc, col);
    if (!before || pg::timestamp_column(td->tg_newtuple, desc, col) == before) return;
    const core::OptUuid id = pg::uuid_column(td->tg_trigtuple, desc, pg::column_of(desc, "id"));
    const RunRow current = run_row(td->tg_trigtuple, desc);
    const core::OptText status = pg::text_column(td->tg_trigtuple, desc, pg::column_of(desc, "status"));
    if (!id || !current.agent_id || !current.company_id || !status) return;
    core::RunInfo run{*id, *current.agent_id, *current.company_id, *status};
    run.app_lease = core::AppLease{*before, GetCurrentStatementStartTimestamp()};
    pg::OwnerScope scope;
    if (core::death_to_record(run, pg::run_status_partition())) pg::record_column_deaths({run});
    scope.finish();
}

}  // namespace

Datum heartbeat_runs_guard(FunctionCallInfo fcinfo) {
    TriggerData* td = pg::row_guard_data(fcinfo, "heartbeat_runs_guard", "heartbeat_runs");
    if (pg::extension_write_in_progress()) return PointerGetDatum(pg::unchanged_row(td));
    const core::Actor actor = pg::current_actor();
    TupleDesc desc = td->tg_relation->rd_att;
    // Compat mode (SPEC §8): a trusted application is held to the same
    // integrity as an operator (primary key, a run's company is its agent's).
    if (actor.passes_actor_gates()) {
        require_run_integrity(td, desc);
        if (TRIGGER_FIRED_BY_DELETE(td->tg_event)) lock_issues_before_run_delete(td->tg_trigtuple, desc);
        record_death_before_revival(td, desc);
        return PointerGetDatum(pg::unchanged_row(td));
    }
    core::require_actor(actor);
    const RunRow current = run_row(td->tg_trigtuple, desc);
    {
        pg::OwnerScope scope;
        require_run_write(actor, current);
        if (TRIGGER_FIRED_BY_UPDATE(td->tg_event)) {
            const RunRow proposed = run_row(td->tg_newtuple, desc);
            if (proposed.agent_id != current.agent_id || proposed.company_id != current.company_id)
                require_run_write(actor, proposed);
        }
        scope.finish();
    }
    require_run_integrity(td, desc);
    if (TRIGGER_FIRED_BY_DELETE(td->tg_event)) lock_issues_before_run_delete(td->tg_trigtuple, desc);
    record_death_before_revival(td, desc);
    return PointerGetDatum(pg::unchanged_row(td));
}

// AFTER UPDATE OF status: a run that turned terminal holds nothing, so the
// issues naming it are cleared now. This transaction already holds the run
// row and takes issue rows second -- the reverse of SPEC §7's order -- so it
// never waits for them: rows another session holds are skipped (SKIP LOCKED).
// That session is either one of the functions, which waits for this run row
// and then sees it terminal and clears it, or anything else, after which the
// next function call or sweep clears the lock. No wait, so no deadlock.
Datum heartbeat_runs_released(FunctionCallInfo fcinfo) {
    TriggerData* td = pg::trigger_data(fcinfo, "heartbeat_runs_released", {"heartbeat_runs"},
                                       {{false, true, pg::kOnUpdate}});
    TupleDesc desc = td->tg_relation->rd_att;
    const core::OptUuid run_id = pg::uuid_column(td->tg_newtuple, desc, pg::column_of(desc, "id"));
    const core::OptUuid company_id = pg::uuid_column(td->tg_newtuple, desc, pg::column_of(desc, "company_id"));
    const core::OptText status = pg::text_column(td->tg_newtuple, desc, pg::column_of(desc, "status"));
    const core::Actor actor = pg::current_actor();
    pg::OwnerScope scope;
    const core::RunStatusPartition& partition = pg::run_status_partition();
    core::RunInfo run;
    if (status) run.status = *status;
    if (run_id && company_id && status && !core::is_live(&run, partition)) {
        run.id = *run_id;
        run.company_id = *company_id;
        // Only issues of the run's own company (SPEC §6), cleared per column.
        for (const core::Uuid& id : pg::lock_issues_held_by_run(*run_id, *company_id)) {
            const auto issue = pg::read_issue(id);  // already locked by this transaction
            if (!issue) continue;
            pg::apply(actor, core::release_ended_run(*issue, run, "run_terminal"));
        }
    }
    scope.finish();
    return PointerGetDatum(nullptr);
}

}  // namespace paperclip::triggers
