// The rules for every write to paperclip.issues, from every client (SPEC §6).
// BEFORE ROW: the row is already locked by the executor, so the gate takes run
// rows second, as every function does. A row trigger cannot UPDATE the row it
// guards: what the gate clears or adopts goes into the row version it returns.
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

void copy_lock_columns(core::IssueState& to, const core::IssueState& from) {
    to.checkout_run_id = from.checkout_run_id;
    to.execution_run_id = from.execution_run_id;
    to.execution_agent_name_key = from.execution_agent_name_key;
    to.execution_locked_at = from.execution_locked_at;
}

}  // namespace

Datum issues_guard(FunctionCallInfo fcinfo) {
    TriggerData* td = pg::trigger_data(fcinfo, "issues_guard", {"issues"},
                                       {{true, true, pg::kOnInsert | pg::kOnUpdate | pg::kOnDelete}});
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

    // A trusted application in compat mode (SPEC §8): the unchanged server
    // runs its own workflow; its writes keep the data meaningful.
    if (actor.is_trusted_app()) {
        if (is_delete) return PointerGetDatum(td->tg_trigtuple);
        const core::IssueState ruled = core::apply_trusted_issue_rules(is_insert ? nullptr : &current, proposed);
        const bool new_checkout = ruled.checkout_run_id && (is_insert || ruled.checkout_run_id != current.checkout_run_id);
        const bool new_execution =
            ruled.execution_run_id && (is_insert || ruled.execution_run_id != current.execution_run_id);
        if (new_checkout || new_execution) {
            pg::OwnerScope scope;
            if (new_checkout) core::require_lock_run_of_company(ruled, pg::read_run(*ruled.checkout_run_id));
            if (new_execution) core::require_lock_run_of_company(ruled, pg::read_run(*ruled.execution_run_id));
            scope.finish();
        }
        return PointerGetDatum(codec.write(pg::unchanged_row(td), proposed, ruled));
    }
    // Operators need no lookup: repairs, migrations and fixtures may write anything.
    if (actor.is_operator()) {
        if (is_delete) return PointerGetDatum(td->tg_trigtuple);
        const core::IssueState ruled =
            core::apply_issue_rules(is_insert ? nullptr : &current, proposed, lock_write, pg::Operation::now());
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
            if (!is_delete)
                result = core::apply_issue_rules(is_insert ? nullptr : &current, proposed, false, pg::Operation::now());
        }
        scope.finish();
    }
    if (is_delete) return PointerGetDatum(td->tg_trigtuple);
    const core::IssueState& original = is_insert ? current : codec.read(td->tg_newtuple);
    return PointerGetDatum(codec.write(pg::unchanged_row(td), original, *result));
}

}  // namespace paperclip::triggers
