// paperclip.acquire_execution_lock(issue_id, run_id) (SPEC §4.6): what a
// scheduler calls when it starts a run for an issue.
#include "entry_points.hpp"
#include "pg/args.hpp"
#include "pg/operation.hpp"

namespace paperclip::functions {

Datum acquire_execution_lock(FunctionCallInfo fcinfo) {
    const core::Uuid issue_id = pg::arg_uuid(fcinfo, 0, "issueId");
    core::ExecutionLockInput input;
    input.run_id = pg::arg_uuid(fcinfo, 1, "runId");

    pg::Operation op;
    pg::load_execution_lock(op, issue_id, input);
    const core::ExecutionLockOutcome outcome = core::decide_execution_lock(input);
    pg::apply(op.actor, outcome);
    op.finish();
    PG_RETURN_BOOL(outcome.acquired);
}

}  // namespace paperclip::functions
