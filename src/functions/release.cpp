// paperclip.release(issue_id, agent_id, run_id) (SPEC §4.4).
#include "entry_points.hpp"
#include "pg/args.hpp"
#include "pg/operation.hpp"

namespace paperclip::functions {

Datum release(FunctionCallInfo fcinfo) {
    const core::Uuid issue_id = pg::arg_uuid(fcinfo, 0, "issueId");
    core::ReleaseInput input;
    input.agent_id = pg::arg_opt_uuid(fcinfo, 1);
    input.run_id = pg::arg_opt_uuid(fcinfo, 2);

    pg::Operation op;
    pg::load_release(op, issue_id, input);
    const core::Outcome outcome = core::decide_release(input);
    return op.finish_returning(*pg::apply(op.actor, outcome));
}

}  // namespace paperclip::functions
