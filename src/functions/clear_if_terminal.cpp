// paperclip.clear_execution_run_if_terminal / clear_checkout_run_if_terminal
// (SPEC §4.1, §4.2): lock the issue row, then the run rows, clear what names a
// run that holds nothing, and record it.
#include <optional>

#include "pg/args.hpp"
#include "pg/operation.hpp"

using namespace paperclip;

namespace {

using Clear = std::optional<core::LockClearing> (core::LockRules::*)(core::IssueState&) const;

bool clear_if_terminal(FunctionCallInfo fcinfo, Clear clear, const char* source) {
    const core::Uuid issue_id = pg::arg_uuid(fcinfo, 0, "issueId");
    pg::Operation op;
    core::require_actor(op.actor);
    const pg::LockedIssue issue = pg::lock_issue_or_404(issue_id);
    pg::require_company_write_access(op.actor, issue.state.company_id);
    const core::RunSet runs =
        pg::lock_runs(core::run_lock_order({issue.state.checkout_run_id, issue.state.execution_run_id}));
    const core::LockRules rules(pg::run_status_partition(), runs);
    core::IssueState state = issue.state;
    const auto cleared = (rules.*clear)(state);
    if (cleared) {
        pg::write_issue(state);
        pg::write_clearings(op.actor, issue.state, {*cleared}, source);
    }
    op.spi.finish();
    return cleared.has_value();
}

}  // namespace

PAPERCLIP_FUNCTION(paperclip_clear_execution_run_if_terminal) {
    PG_RETURN_BOOL(clear_if_terminal(fcinfo, &core::LockRules::clear_execution_if_terminal,
                                     "clear_execution_run_if_terminal"));
}

PAPERCLIP_FUNCTION(paperclip_clear_checkout_run_if_terminal) {
    PG_RETURN_BOOL(clear_if_terminal(fcinfo, &core::LockRules::clear_checkout_if_terminal,
                                     "clear_checkout_run_if_terminal"));
}
