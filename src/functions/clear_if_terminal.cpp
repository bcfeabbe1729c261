// paperclip.clear_execution_run_if_terminal / clear_checkout_run_if_terminal
// (SPEC §4.1, §4.2): lock the issue row, then the run rows, clear what names a
// run that holds nothing, and record it.
#include "entry_points.hpp"
#include "pg/args.hpp"
#include "pg/operation.hpp"

namespace paperclip::functions {

namespace {
bool clear_if_terminal(FunctionCallInfo fcinfo, core::StaleLock which, const char* source) {
    const core::Uuid issue_id = pg::arg_uuid(fcinfo, 0, "issueId");
    core::ClearIfTerminalInput input;
    input.which = which;
    input.source = source;

    pg::Operation op;
    pg::load_clear_if_terminal(op, issue_id, input);
    const core::Outcome outcome = core::decide_clear_if_terminal(input);
    pg::apply(op.actor, outcome);
    op.finish();
    return outcome.write;
}
}  // namespace

Datum clear_execution_run_if_terminal(FunctionCallInfo fcinfo) {
    PG_RETURN_BOOL(clear_if_terminal(fcinfo, core::StaleLock::Execution, "clear_execution_run_if_terminal"));
}

Datum clear_checkout_run_if_terminal(FunctionCallInfo fcinfo) {
    PG_RETURN_BOOL(clear_if_terminal(fcinfo, core::StaleLock::Checkout, "clear_checkout_run_if_terminal"));
}

}  // namespace paperclip::functions
