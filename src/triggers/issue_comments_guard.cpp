// Comments by agents pass the same ownership gate as writes to the issue
// (SPEC §6); nobody comments as someone else.
#include "core/errors.hpp"
#include "core/write_gate.hpp"
#include "pg/issue_tuple.hpp"
#include "entry_points.hpp"
#include "pg/operation.hpp"
#include "pg/trigger.hpp"

namespace paperclip::triggers {


Datum issue_comments_guard(FunctionCallInfo fcinfo) {
    TriggerData* td = pg::trigger_data(fcinfo, "issue_comments_guard", {"issue_comments"}, {{true, true, pg::kOnInsert}});
    if (pg::extension_write_in_progress()) return PointerGetDatum(pg::unchanged_row(td));
    const core::Actor actor = pg::current_actor();
    if (actor.passes_actor_gates()) return PointerGetDatum(pg::unchanged_row(td));
    core::require_actor(actor);

    TupleDesc desc = td->tg_relation->rd_att;
    HeapTuple row = pg::unchanged_row(td);
    const int issue_col = pg::column_of(desc, "issue_id");
    const int company_col = pg::column_of(desc, "company_id");
    const int author_agent_col = pg::column_of(desc, "author_agent_id");
    const int author_user_col = pg::column_of(desc, "author_user_id");
    const core::OptUuid issue_id = pg::uuid_column(row, desc, issue_col);
    const core::OptUuid company_id = pg::uuid_column(row, desc, company_col);
    const core::OptUuid author_agent = pg::uuid_column(row, desc, author_agent_col);
    const core::OptText author_user = pg::text_column(row, desc, author_user_col);
    if (!issue_id) core::fail_validation("issueId", "must not be null");

    {
        pg::OwnerScope scope;
        // The issue row first, then (in the gate) its runs.
        const auto locked = pg::lock_issue(*issue_id);
        const std::optional<core::IssueState> found = locked ? std::optional(locked->state) : std::nullopt;
        const core::IssueState& issue_state = core::require_issue(found);
        core::check_comment(actor, issue_state, company_id, pg::membership_of(actor, issue_state.company_id),
                            author_agent, author_user);
        if (actor.is_agent())
            if (auto outcome = pg::check_agent_write(actor, issue_state))
                if (outcome->write) pg::write_issue(outcome->result);
        scope.finish();
    }
    // Fill in the author from the actor.
    if (actor.is_agent() && !author_agent) row = pg::replace_uuid_column(row, desc, author_agent_col, actor.agent_id);
    if (actor.is_board() && !author_user) row = pg::replace_text_column(row, desc, author_user_col, actor.user_id);
    return PointerGetDatum(row);
}

}  // namespace paperclip::triggers
