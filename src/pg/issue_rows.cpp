#include <string>
#include <vector>

#include "pg/issue_rows.hpp"
#include "pg/run_leases.hpp"
#include "pg/spi.hpp"

namespace paperclip::pg {

namespace {

// The extension's writes in progress, innermost last, each with the
// subtransaction it began in. Not a plain counter: an error that longjmps
// past an ExtensionWrite and is caught by a PL/pgSQL block would leave a
// counter raised, and every later write of the transaction unguarded.
constexpr int kMaxNestedWrites = 64;
SubTransactionId g_write_subxacts[kMaxNestedWrites];
int g_write_depth = 0;

#define ISSUE_COLUMNS                                                                  \
    "i.id, i.company_id, i.status, i.assignee_agent_id, i.assignee_user_id, "          \
    "i.checkout_run_id, i.execution_run_id, i.execution_agent_name_key, "              \
    "i.execution_locked_at, i.started_at"

SavedPlan lock_issue_plan("SELECT " ISSUE_COLUMNS ", {issue_row} FROM {issues} AS i "
                          "WHERE i.id" PC_EQ "$1 FOR UPDATE",
                          {UUIDOID});
SavedPlan read_issue_plan("SELECT " ISSUE_COLUMNS " FROM {issues} AS i WHERE i.id" PC_EQ "$1",
                          {UUIDOID});
// The run rows with their leases (SPEC §9), in the same statement: the run
// rows locked in ascending id, the lease rows read (a lease row is locked
// only by a renewal, after its run row), and the attached lease column
// (SPEC §9 run_lease_column). A database still at 1.0 has no
// run_leases table: the plans without it judge runs by status alone.
#define RUN_COLUMNS "r.id, r.agent_id, r.company_id, r.status"
#define WITH_LEASES ", l.expires_at, l.renewed_at, l.backend_pid, l.backend_start, {r.run_lease_expiry} " \
    "FROM {heartbeat_runs} AS r LEFT JOIN {run_leases} AS l ON l.run_id" PC_EQ "r.id "
SavedPlan lock_runs_plan("SELECT " RUN_COLUMNS WITH_LEASES "WHERE r.id" PC_EQ "ANY ($1) "
                         "ORDER BY r.id FOR NO KEY UPDATE OF r",
                         {UUIDARRAYOID});
SavedPlan read_run_plan("SELECT " RUN_COLUMNS WITH_LEASES "WHERE r.id" PC_EQ "$1", {UUIDOID});
SavedPlan lock_runs_no_leases_plan("SELECT " RUN_COLUMNS " FROM {heartbeat_runs} AS r WHERE r.id" PC_EQ "ANY ($1) "
                                   "ORDER BY r.id FOR NO KEY UPDATE",
                                   {UUIDARRAYOID});
SavedPlan read_run_no_leases_plan("SELECT " RUN_COLUMNS " FROM {heartbeat_runs} AS r WHERE r.id" PC_EQ "$1",
                                  {UUIDOID});
SavedPlan write_issue_plan(
    "UPDATE {issues} AS i SET status = $2, assignee_agent_id = $3, assignee_user_id = $4, "
    "checkout_run_id = $5, execution_run_id = $6, execution_agent_name_key = $7, "
    "execution_locked_at = $8, started_at = $9, updated_at = pg_catalog.now() "
    "WHERE i.id" PC_EQ "$1 RETURNING {issue_row}",
    {UUIDOID, TEXTOID, UUIDOID, TEXTOID, UUIDOID, UUIDOID, TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID});

// Deleting a run nulls the lock columns naming it through the foreign keys'
// ON DELETE SET NULL cascade, which runs at the end of the DELETE statement,
// after this run row (and maybe others) is locked: the reverse of SPEC §7's
// order. A function that holds such an issue row and waits for this run row
// would deadlock with the cascade (and could be the one aborted). So the
// issue rows naming the run are locked before the run row is deleted,
// without waiting (FOR NO KEY UPDATE, the lock the cascade's UPDATE takes): the
// cascade then only touches rows this transaction holds, and an issue row
// another transaction holds fails the DELETE at once with 55P03 (retry)
// instead of a deadlock.
SavedPlan lock_issues_naming_run_plan(
    "SELECT i.id FROM {issues} AS i "
    "WHERE i.checkout_run_id" PC_EQ "$1 OR i.execution_run_id" PC_EQ "$1 "
    "FOR NO KEY UPDATE OF i NOWAIT",
    {UUIDOID});

SavedPlan issues_held_by_run_plan(
    "SELECT i.id FROM {issues} AS i "
    "WHERE (i.checkout_run_id" PC_EQ "$1 OR i.execution_run_id" PC_EQ "$1) AND i.company_id" PC_EQ "$2 "
    "FOR UPDATE OF i SKIP LOCKED",
    {UUIDOID, UUIDOID});

core::IssueState issue_from(const Row& r) {
    core::IssueState s;
    s.id = r.uuid(1);
    s.company_id = r.uuid(2);
    s.status = r.text(3);
    s.assignee_agent_id = r.opt_uuid(4);
    s.assignee_user_id = r.opt_text(5);
    s.checkout_run_id = r.opt_uuid(6);
    s.execution_run_id = r.opt_uuid(7);
    s.execution_agent_name_key = r.opt_text(8);
    s.execution_locked_at = r.opt_timestamp(9);
    s.started_at = r.opt_timestamp(10);
    return s;
}

core::RunInfo run_from(const Row& r, bool with_lease) {
    core::RunInfo run{r.uuid(1), r.uuid(2), r.uuid(3), r.text(4)};
    if (with_lease) {
        run.lease = lease_from(r, 5);
        run.app_lease = app_lease_from(r, 9);
    }
    return run;
}

}  // namespace

std::optional<LockedIssue> lock_issue(const core::Uuid& issue_id) {
    if (lock_issue_plan.run({p_uuid(issue_id)}) == 0) return std::nullopt;
    const Row r = lock_issue_plan.row(0);
    return LockedIssue{issue_from(r), r.datum(11)};
}

std::optional<core::IssueState> read_issue(const core::Uuid& issue_id) {
    if (read_issue_plan.run({p_uuid(issue_id)}) == 0) return std::nullopt;
    return issue_from(read_issue_plan.row(0));
}

core::RunSet lock_runs(const std::vector<core::Uuid>& ids) {
    if (ids.empty()) return core::RunSet{};
    const bool leases = leases_installed();
    SavedPlan& plan = leases ? lock_runs_plan : lock_runs_no_leases_plan;
    const auto n = plan.run({p_uuids(ids)});
    std::vector<core::RunInfo> runs;
    for (std::uint64_t i = 0; i < n; ++i) runs.push_back(run_from(plan.row(i), leases));
    if (leases) {
        confirm_ended_leases(runs);
        record_column_deaths(runs);  // under the run rows' locks
    }
    return core::RunSet(std::move(runs));
}

std::optional<core::RunInfo> read_run(const core::Uuid& run_id) {
    const bool leases = leases_installed();
    SavedPlan& plan = leases ? read_run_plan : read_run_no_leases_plan;
    if (plan.run({p_uuid(run_id)}) == 0) return std::nullopt;
    return run_from(plan.row(0), leases);
}

core::RunSet lock_runs_of(const core::IssueState& issue, const core::OptUuid& also) {
    return lock_runs(core::run_lock_order({issue.checkout_run_id, issue.execution_run_id, also}));
}

LockedIssueAndRuns lock_issue_then_runs(const core::Uuid& issue_id, IssueRuns which,
                                        const core::OptUuid& also) {
    LockedIssueAndRuns out;
    out.issue = lock_issue(issue_id);
    if (!out.issue) return out;
    const core::IssueState& s = out.issue->state;
    switch (which) {
        case IssueRuns::LockColumns: out.runs = lock_runs_of(s, also); break;
        case IssueRuns::CheckoutOnly: out.runs = lock_runs(core::run_lock_order({s.checkout_run_id, also})); break;
        case IssueRuns::None: out.runs = lock_runs(core::run_lock_order({also})); break;
    }
    return out;
}

Datum write_issue(const core::IssueState& s) {
    ExtensionWrite guard;
    write_issue_plan.run({p_uuid(s.id), p_text(s.status), p_uuid(s.assignee_agent_id),
                          p_text(s.assignee_user_id), p_uuid(s.checkout_run_id),
                          p_uuid(s.execution_run_id), p_text(s.execution_agent_name_key),
                          p_timestamptz(s.execution_locked_at), p_timestamptz(s.started_at)});
    return write_issue_plan.row(0).datum(1);
}

void lock_issues_naming_run_nowait(const core::Uuid& run_id) {
    lock_issues_naming_run_plan.run({p_uuid(run_id)});
}

std::vector<core::Uuid> lock_issues_held_by_run(const core::Uuid& run_id, const core::Uuid& company_id) {
    const auto n = issues_held_by_run_plan.run({p_uuid(run_id), p_uuid(company_id)});
    std::vector<core::Uuid> ids;
    for (std::uint64_t i = 0; i < n; ++i) ids.push_back(issues_held_by_run_plan.row(i).uuid(1));
    return ids;
}

bool extension_write_in_progress() { return g_write_depth > 0; }
void reset_extension_writes() { g_write_depth = 0; }
void abort_extension_writes(SubTransactionId aborted) {
    while (g_write_depth > 0 && g_write_subxacts[g_write_depth - 1] >= aborted) --g_write_depth;
}
ExtensionWrite::ExtensionWrite() : depth_(g_write_depth) {
    if (g_write_depth >= kMaxNestedWrites)
        throw SqlStateError(ERRCODE_STATEMENT_TOO_COMPLEX, "paperclip writes nested too deeply",
                            "Triggers on the extension's tables call back into the extension recursively.");
    g_write_subxacts[g_write_depth++] = GetCurrentSubTransactionId();
}
ExtensionWrite::~ExtensionWrite() {
    if (g_write_depth > depth_) g_write_depth = depth_;
}

}  // namespace paperclip::pg
