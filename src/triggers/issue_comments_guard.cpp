// Comments by agents pass the same ownership gate as writes to the issue
// (SPEC §6); nobody comments as someone else.
#include "core/errors.hpp"
#include "core/write_gate.hpp"
#include "pg/issue_tuple.hpp"
#include "entry_points.hpp"
#include "pg/operation.hpp"
#include "pg/trigger.hpp"

namespace paperclip::triggers {


namespace {

core::CommentRow comment_row(HeapTuple tuple, TupleDesc desc) {
    return {pg::uuid_column(tuple, desc, pg::column_of(desc, "issue_id")),
            pg::uuid_column(tuple, desc, pg::column_of(desc, "company_id")),
            pg::uuid_column(tuple, desc, pg::column_of(desc, "author_agent_id")),
            pg::text_column(tuple, desc, pg::column_of(desc, "author_user_id"))};
}

}  // namespace

// INSERT, UPDATE and DELETE obey the same gates (SPEC §10): an actor, write
// access to the issue's company, for an agent the ownership gate of the
// issue; an agent changes only its own comments, and nobody changes a
// comment's issue, company or authors.
Datum issue_comments_guard(FunctionCallInfo fcinfo) {
    TriggerData* td = pg::row_guard_data(fcinfo, "issue_comments_guard", "issue_comments");
    if (pg::extension_write_in_progress()) return PointerGetDatum(pg::unchanged_row(td));
    const core::Actor actor = pg::current_actor();
    if (actor.passes_actor_gates()) return PointerGetDatum(pg::unchanged_row(td));
    core::require_actor(actor);

    const bool is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
    const bool is_update = TRIGGER_FIRED_BY_UPDATE(td->tg_event);
    TupleDesc desc = td->tg_relation->rd_att;
    HeapTuple row = pg::unchanged_row(td);
    const core::CommentRow comment = comment_row(td->tg_trigtuple, desc);  // OLD, or NEW for INSERT
    if (!is_insert) {
        const core::CommentRow proposed = is_update ? comment_row(td->tg_newtuple, desc) : comment;
        core::require_comment_change_allowed(actor, comment, is_update ? &proposed : nullptr);
    }
    if (!comment.issue_id) core::fail_validation("issueId", "must not be null");

    {
        pg::OwnerScope scope;
        // The issue row first, then (in the gate) its runs.
        const auto locked = pg::lock_issue(*comment.issue_id);
        const std::optional<core::IssueState> found = locked ? std::optional(locked->state) : std::nullopt;
        const core::IssueState& issue_state = core::require_issue(found);
        core::check_comment(actor, issue_state, comment.company_id, pg::membership_of(actor, issue_state.company_id),
                            comment.author_agent_id, comment.author_user_id, is_insert);
        if (actor.is_agent())
            if (auto outcome = pg::check_agent_write(actor, issue_state))
                if (outcome->write) pg::write_issue(outcome->result);
        scope.finish();
    }
    // A new comment's author is the actor.
    if (is_insert) {
        const int author_agent_col = pg::column_of(desc, "author_agent_id");
        const int author_user_col = pg::column_of(desc, "author_user_id");
        if (actor.is_agent() && !comment.author_agent_id)
            row = pg::replace_uuid_column(row, desc, author_agent_col, actor.agent_id);
        if (actor.is_board() && !comment.author_user_id)
            row = pg::replace_text_column(row, desc, author_user_col, actor.user_id);
    }
    return PointerGetDatum(row);
}

}  // namespace paperclip::triggers
