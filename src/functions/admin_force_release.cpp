// paperclip.admin_force_release(issue_id, clear_assignee, reason) (SPEC §4.7):
// the operator's way out of a stuck lock, always on the record.
#include "entry_points.hpp"
#include "pg/args.hpp"
#include "pg/operation.hpp"

namespace paperclip::functions {

Datum admin_force_release(FunctionCallInfo fcinfo) {
    const core::Uuid issue_id = pg::arg_uuid(fcinfo, 0, "issueId");
    core::ForceReleaseInput input;
    input.clear_assignee = pg::arg_bool(fcinfo, 1, "clearAssignee");
    input.reason = pg::arg_opt_text(fcinfo, 2);

    pg::Operation op;
    pg::load_force_release(op, issue_id, input);
    const core::Outcome outcome = core::decide_force_release(input);
    pg::apply(op.actor, outcome);
    const core::IssueState& before = *input.context.issue;
    const core::IssueState& after = outcome.result;
    Datum out = pg::make_result_record(
        fcinfo, {pg::p_uuid(after.id), pg::p_text(after.status), pg::p_uuid(after.assignee_agent_id),
                 pg::p_uuid(after.checkout_run_id), pg::p_uuid(after.execution_run_id),
                 pg::p_timestamptz(after.execution_locked_at), pg::p_uuid(before.checkout_run_id),
                 pg::p_uuid(before.execution_run_id)});
    return op.finish_returning(out);
}

}  // namespace paperclip::functions
