// The rules for every write to paperclip.issues, from every client (SPEC §6).
// BEFORE ROW: the row is already locked by the executor, so the gate takes run
// rows second, as every function does. A row trigger cannot UPDATE the row it
// guards: what the gate clears or adopts goes into the row version it returns.
#include <utility>

#include "core/access.hpp"
#include "core/compat.hpp"
#include "core/errors.hpp"
#include "core/write_gate.hpp"
#include "pg/issue_tuple.hpp"
#include "entry_points.hpp"
#include "pg/operation.hpp"
#include "pg/trigger.hpp"

namespace paperclip::triggers {


namespace {

// The ON DELETE SET NULL cascade: only run-id columns went to NULL, each
// naming a run that no longer exists, and nothing else changed.
bool is_run_deletion_cascade(const core::IssueState& before, const core::IssueState& after) {
    core::IssueState expected = before;
    bool nulled = false;
    if (before.checkout_run_id && !after.checkout_run_id) {
        expected.checkout_run_id.reset();
        nulled = true;
    }
    if (before.execution_run_id && !after.execution_run_id) {
        expected.execution_run_id.reset();
        nulled = true;
    }
    if (!nulled || expected != after) return false;
    if (before.checkout_run_id && !after.checkout_run_id && pg::read_run(*before.checkout_run_id)) return false;
    if (before.execution_run_id && !after.execution_run_id && pg::read_run(*before.execution_run_id)) return false;
    return true;
}

// SPEC §6: a lock column names only a run of the issue's own company, for
// every writer; checked where a column is set to a run (or the issue moves).
void require_lock_runs_in_company(const core::IssueState* previous, const core::IssueState& proposed) {
    const bool moved = previous != nullptr && previous->company_id != proposed.company_id;
    const std::pair<const char*, core::OptUuid core::IssueState::*> columns[] = {
        {"checkout_run_id", &core::IssueState::checkout_run_id},
        {"execution_run_id", &core::IssueState::execution_run_id}};
    for (const auto& [name, column] : columns) {
        const core::OptUuid& run_id = proposed.*column;
        if (!run_id || (previous != nullptr && previous->*column == run_id && !moved)) continue;
        const auto run = pg::read_run(*run_id);
        core::require_lock_run_in_company(proposed, name, *run_id, run ? &*run : nullptr);
    }
}

// SPEC §10: an assignee written by any UPDATE or INSERT is assignable, as in
// checkout. One exception: a database operator's INSERT is held to the same
// company only -- pg_restore and imports bring back issues whose assignee was
// terminated after it was assigned, and a dump must restore (SPEC §1).
void require_assignable_assignee(const core::IssueState* previous, const core::IssueState& proposed,
                                 bool operator_insert = false) {
    if (!core::assignee_written(previous, proposed)) return;
    const auto agent = pg::find_agent(*proposed.assignee_agent_id);
    if (operator_insert && agent) {
        core::AgentInfo any_status = *agent;
        any_status.status = "idle";
        core::require_assignable_agent(&any_status, proposed.company_id);
        return;
    }
    core::require_assignable_agent(agent ? &*agent : nullptr, proposed.company_id);
}

void copy_lock_columns(core::IssueState& to, const core::IssueState& from) {
    to.checkout_run_id = from.checkout_run_id;
    to.execution_run_id = from.execution_run_id;
    to.execution_agent_name_key = from.execution_agent_name_key;
    to.execution_locked_at = from.execution_locked_at;
}

}  // namespace

Datum issues_guard(FunctionCallInfo fcinfo) {
    TriggerData* td = pg::row_guard_data(fcinfo, "issues_guard", "issues");
    if (pg::extension_write_in_progress()) return PointerGetDatum(pg::unchanged_row(td));

    const core::Actor actor = pg::current_actor();
    const pg::IssueTuple codec(td->tg_relation->rd_att);
    const bool is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
    const bool is_delete = TRIGGER_FIRED_BY_DELETE(td->tg_event);
    const core::IssueState current = codec.read(td->tg_trigtuple);  // OLD, or NEW for INSERT
    core::IssueState proposed = is_insert || is_delete ? current : codec.read(td->tg_newtuple);
    const bool lock_write = is_insert ? (current.checkout_run_id || current.execution_run_id ||
                                         current.execution_agent_name_key || current.execution_locked_at)
                                      : core::lock_columns_differ(current, proposed);

    const core::IssueState* previous = is_insert ? nullptr : &current;
    // Every writer: an issue's id never changes (it would take another
    // issue's audit history with it).
    if (!is_insert && !is_delete) core::require_primary_key_unchanged("issues", current.id, proposed.id);

    // A trusted application in compat mode (SPEC §8): the unchanged server
    // runs its own workflow; its writes keep the data meaningful (the rules
    // of core/compat.hpp, and lock columns naming runs of the issue's company).
    if (actor.is_trusted_app()) {
        if (is_delete) return PointerGetDatum(td->tg_trigtuple);
        if (lock_write) {
            pg::OwnerScope scope;
            require_lock_runs_in_company(previous, proposed);
            scope.finish();
        }
        const core::IssueState ruled = core::apply_trusted_issue_rules(proposed);
        return PointerGetDatum(codec.write(pg::unchanged_row(td), proposed, ruled));
    }
    // Operators may write lock columns (repairs, migrations and fixtures), but
    // only naming runs of the issue's company, and assign only assignable agents.
    if (actor.is_operator()) {
        if (is_delete) return PointerGetDatum(td->tg_trigtuple);
        if (lock_write || core::assignee_written(previous, proposed)) {
            pg::OwnerScope scope;
            if (lock_write) require_lock_runs_in_company(previous, proposed);
            require_assignable_assignee(previous, proposed, is_insert);
            scope.finish();
        }
        // An operator's INSERT of an in_progress issue without an assignee is
        // a restore or a migration of a row admin_force_release(clear_assignee)
        // made (SPEC §4.7 never changes status): it is taken as it stands, not
        // as a move into in_progress, so pg_dump's output restores.
        const bool restores_unassigned_in_progress = is_insert && proposed.status == core::status::kInProgress &&
                                                     !proposed.assignee_agent_id && !proposed.assignee_user_id;
        const core::IssueState ruled = core::apply_issue_rules(restores_unassigned_in_progress ? &proposed : previous,
                                                               proposed, lock_write, pg::Operation::now());
        return PointerGetDatum(codec.write(pg::unchanged_row(td), proposed, ruled));
    }

    std::optional<core::IssueState> result;
    {
        pg::OwnerScope scope;
        if (!is_insert && !is_delete && lock_write && is_run_deletion_cascade(current, proposed)) {
            // The foreign key's ON DELETE SET NULL, under whatever actor deleted the run.
            result = core::apply_issue_rules(&current, proposed, true, pg::Operation::now());
        } else {
            core::require_actor(actor);
            if (lock_write) core::refuse_direct_lock_write(actor);
            pg::require_company_write_access(actor, current.company_id);
            if (!is_insert && proposed.company_id != current.company_id)
                pg::require_company_write_access(actor, proposed.company_id);
            if (actor.is_agent() && !is_insert) {
                if (auto decision = pg::check_agent_write(actor, current)) copy_lock_columns(proposed, decision->result);
            }
            if (!is_delete) {
                require_assignable_assignee(previous, proposed);
                // As upstream's PATCH: no move to in_progress past unresolved
                // blockers (a new issue has no relations yet).
                if (!is_insert && core::enters_in_progress(previous, proposed))
                    core::require_no_unresolved_blockers(pg::unresolved_blockers(current.id));
                result = core::apply_issue_rules(previous, proposed, false, pg::Operation::now());
            }
        }
        scope.finish();
    }
    if (is_delete) return PointerGetDatum(td->tg_trigtuple);
    const core::IssueState& original = is_insert ? current : codec.read(td->tg_newtuple);
    return PointerGetDatum(codec.write(pg::unchanged_row(td), original, *result));
}

}  // namespace paperclip::triggers
