// paperclip.assert_checkout_owner(issue_id, agent_id, run_id) (SPEC §4.5): the
// ownership check behind every agent write.
#include "entry_points.hpp"
#include "pg/args.hpp"
#include "pg/operation.hpp"

namespace paperclip::functions {

Datum assert_checkout_owner(FunctionCallInfo fcinfo) {
    const core::Uuid issue_id = pg::arg_uuid(fcinfo, 0, "issueId");
    core::OwnershipInput input;
    input.agent_id = pg::arg_uuid(fcinfo, 1, "agentId");
    input.run_id = pg::arg_opt_uuid(fcinfo, 2);  // missing: 401, decided below

    pg::Operation op;
    pg::load_ownership(op, issue_id, input);
    const core::OwnershipOutcome outcome = core::decide_ownership(input);
    pg::apply(op.actor, outcome);
    const core::IssueState& s = outcome.result;
    Datum out = pg::make_result_record(
        fcinfo, {pg::p_uuid(s.id), pg::p_text(s.status), pg::p_uuid(s.assignee_agent_id),
                 pg::p_uuid(s.checkout_run_id), pg::p_uuid(s.execution_run_id),
                 pg::p_uuid(outcome.adopted_from_run_id)});
    return op.finish_returning(out);
}

}  // namespace paperclip::functions
