// paperclip.checkout(issue_id, agent_id, expected_statuses, run_id) (SPEC §4.3).
#include "entry_points.hpp"
#include "pg/args.hpp"
#include "pg/operation.hpp"

namespace paperclip::functions {

Datum checkout(FunctionCallInfo fcinfo) {
    const core::Uuid issue_id = pg::arg_uuid(fcinfo, 0, "issueId");
    core::CheckoutInput input;
    input.agent_id = pg::arg_uuid(fcinfo, 1, "agentId");
    input.expected_statuses = pg::arg_text_array(fcinfo, 2, "expectedStatuses");
    input.run_id = pg::arg_opt_uuid(fcinfo, 3);

    pg::Operation op;
    const Datum locked_row = pg::load_checkout(op, issue_id, input);
    const core::CheckoutOutcome outcome = core::decide_checkout(input);
    const auto row = pg::apply(op.actor, outcome);
    return op.finish_returning(row ? *row : locked_row);
}

}  // namespace paperclip::functions
