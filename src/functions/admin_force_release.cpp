// paperclip.admin_force_release(issue_id, clear_assignee, reason) (SPEC §4.7):
// the operator's way out of a stuck lock, always on the record.
#include "core/errors.hpp"
#include "pg/args.hpp"
#include "pg/operation.hpp"

using namespace paperclip;

PAPERCLIP_FUNCTION(paperclip_admin_force_release) {
    const core::Uuid issue_id = pg::arg_uuid(fcinfo, 0, "issueId");
    const bool clear_assignee = pg::arg_bool(fcinfo, 1, "clearAssignee");
    const core::OptText reason = pg::arg_opt_text(fcinfo, 2);

    pg::Operation op;
    core::require_board_or_operator(op.actor);
    const pg::LockedIssue issue = pg::lock_issue_or_404(issue_id);
    pg::require_company_write_access(op.actor, issue.state.company_id);

    const core::IssueState released = core::decide_force_release(issue.state, clear_assignee);
    pg::write_issue(released);
    const core::AuditActor who = core::audit_actor_of(op.actor);
    core::JsonObject d;
    d.add("issueId", issue_id)
        .add("actorUserId", who.actor_id)
        .add("prevCheckoutRunId", issue.state.checkout_run_id)
        .add("prevExecutionRunId", issue.state.execution_run_id)
        .add("clearAssignee", clear_assignee);
    if (reason) d.add("reason", *reason);
    pg::write_audit(op.actor, issue.state.company_id, issue_id, {core::action::kAdminForceRelease, d});

    Datum out = pg::make_result_record(
        fcinfo, {pg::p_uuid(released.id), pg::p_text(released.status), pg::p_uuid(released.assignee_agent_id),
                 pg::p_uuid(released.checkout_run_id), pg::p_uuid(released.execution_run_id),
                 pg::p_timestamptz(released.execution_locked_at), pg::p_uuid(issue.state.checkout_run_id),
                 pg::p_uuid(issue.state.execution_run_id)});
    return op.finish_returning(out);
}
