// Comments by agents pass the same ownership gate as writes to the issue
// (SPEC §6); nobody comments as someone else.
#include "core/errors.hpp"
#include "core/write_gate.hpp"
#include "pg/issue_tuple.hpp"
#include "pg/operation.hpp"
#include "pg/trigger.hpp"

using namespace paperclip;

PAPERCLIP_FUNCTION(paperclip_issue_comments_guard) {
    TriggerData* td = pg::trigger_data(fcinfo, "issue_comments_guard");
    if (pg::extension_write_in_progress()) return PointerGetDatum(pg::unchanged_row(td));
    const core::Actor actor = pg::current_actor();
    if (actor.is_operator()) return PointerGetDatum(pg::unchanged_row(td));
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
        pg::SpiSession spi;
        pg::AsExtensionOwner as_owner;
        // The issue row first, then (in the gate) its runs.
        const pg::LockedIssue issue = pg::lock_issue_or_404(*issue_id);
        if (company_id != issue.state.company_id)
            core::fail(core::ErrorCode::Unprocessable, "Comment must belong to the issue's company",
                       core::JsonObject().add("issueId", issue_id).add("companyId", company_id));
        pg::require_company_write_access(actor, issue.state.company_id);
        if (actor.is_agent()) {
            if (author_agent != actor.agent_id && (author_agent || author_user))
                core::fail(core::ErrorCode::Forbidden, "Agent can only comment as itself");
            if (auto decision = pg::check_agent_write(actor, issue.state))
                if (decision->changed) pg::write_issue(decision->result);
        } else if (actor.is_board()) {
            if (author_agent || (author_user && *author_user != actor.user_id))
                core::fail(core::ErrorCode::Forbidden, "Board user can only comment as itself");
        }
        spi.finish();
    }
    // Fill in the author from the actor.
    if (actor.is_agent() && !author_agent) row = pg::replace_uuid_column(row, desc, author_agent_col, actor.agent_id);
    if (actor.is_board() && !author_user) row = pg::replace_text_column(row, desc, author_user_col, actor.user_id);
    return PointerGetDatum(row);
}
