#include <string>
#include <vector>

#include "pg/issue_rows.hpp"
#include "pg/run_leases.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "utils/resowner.h"
}

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
// The same two, without waiting: lock_issue_then_runs takes the run rows
// this way while it holds the issue row (see there).
SavedPlan lock_runs_nowait_plan("SELECT " RUN_COLUMNS WITH_LEASES "WHERE r.id" PC_EQ "ANY ($1) "
                                "ORDER BY r.id FOR NO KEY UPDATE OF r NOWAIT",
                                {UUIDARRAYOID});
SavedPlan lock_runs_no_leases_nowait_plan("SELECT " RUN_COLUMNS " FROM {heartbeat_runs} AS r WHERE r.id" PC_EQ
                                          "ANY ($1) ORDER BY r.id FOR NO KEY UPDATE NOWAIT",
                                          {UUIDARRAYOID});
// Waits until one run row can be locked; run in a subtransaction that is
// rolled back at once, so the lock is never kept.
SavedPlan wait_for_run_plan("SELECT r.id FROM {heartbeat_runs} AS r WHERE r.id" PC_EQ "$1 FOR NO KEY UPDATE",
                            {UUIDOID});
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

namespace {

core::RunSet lock_runs(const std::vector<core::Uuid>& ids, bool nowait) {
    if (ids.empty()) return core::RunSet{};
    const bool leases = leases_installed();
    SavedPlan& plan = leases ? (nowait ? lock_runs_nowait_plan : lock_runs_plan)
                             : (nowait ? lock_runs_no_leases_nowait_plan : lock_runs_no_leases_plan);
    const auto n = plan.run({p_uuids(ids)});
    std::vector<core::RunInfo> runs;
    for (std::uint64_t i = 0; i < n; ++i) runs.push_back(run_from(plan.row(i), leases));
    if (leases) {
        confirm_ended_leases(runs);
        record_column_deaths(runs);  // under the run rows' locks
    }
    return core::RunSet(std::move(runs));
}

// Runs body in an internal subtransaction (as PL/pgSQL runs a block with an
// EXCEPTION clause), then commits it (keep) or rolls it back. A 55P03 raised
// while *nowait_step is true (a NOWAIT lock not available) rolls it back and
// returns false; any other error (a lock_timeout's 55P03 included) rolls it
// back and propagates. Row locks taken in a rolled-back subtransaction are
// released.
template <class Body>
bool in_subtransaction(bool keep, const bool* nowait_step, Body&& body) {
    MemoryContext context = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    const auto restore = [&] {
        MemoryContextSwitchTo(context);
        CurrentResourceOwner = owner;
    };
    pg_call([] { BeginInternalSubTransaction(nullptr); });
    MemoryContextSwitchTo(context);
    try {
        body();
    } catch (const PgError& e) {
        pg_call([] { RollbackAndReleaseCurrentSubTransaction(); });
        restore();
        if (nowait_step != nullptr && *nowait_step && e.data() != nullptr &&
            e.data()->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE)
            return false;
        throw;
    } catch (...) {
        pg_call([] { RollbackAndReleaseCurrentSubTransaction(); });
        restore();
        throw;
    }
    if (keep)
        pg_call([] { ReleaseCurrentSubTransaction(); });
    else
        pg_call([] { RollbackAndReleaseCurrentSubTransaction(); });
    restore();
    return true;
}

std::vector<core::Uuid> runs_needed(const core::IssueState& s, IssueRuns which, const core::OptUuid& also,
                                    const core::OptUuid& audit_run) {
    switch (which) {
        case IssueRuns::LockColumns:
            return core::run_lock_order({s.checkout_run_id, s.execution_run_id, also, audit_run});
        case IssueRuns::CheckoutOnly: return core::run_lock_order({s.checkout_run_id, also, audit_run});
        case IssueRuns::None: break;
    }
    return core::run_lock_order({also, audit_run});
}

}  // namespace

core::RunSet lock_runs(const std::vector<core::Uuid>& ids) { return lock_runs(ids, false); }

std::optional<core::RunInfo> read_run(const core::Uuid& run_id) {
    const bool leases = leases_installed();
    SavedPlan& plan = leases ? read_run_plan : read_run_no_leases_plan;
    if (plan.run({p_uuid(run_id)}) == 0) return std::nullopt;
    return run_from(plan.row(0), leases);
}

core::RunSet lock_runs_of(const core::IssueState& issue, const core::OptUuid& also) {
    return lock_runs(core::run_lock_order({issue.checkout_run_id, issue.execution_run_id, also}));
}

// SPEC §7's order (the issue row, then its run rows), and one more rule: a
// function never waits for a run row while it holds the issue row. Upstream
// Paperclip's adoptUnownedCheckoutRun locks a run row FOR UPDATE and then
// updates the issue (run first), and its adoptStaleCheckoutRun locks two run
// rows in no fixed order; a function holding the issue and waiting for such a
// run row would deadlock with it. So the issue row and the run rows are taken
// in a subtransaction, the run rows with NOWAIT; when one is held by another
// transaction, the subtransaction is rolled back (which releases the issue
// row), the function waits for each run row in turn holding nothing (each
// wait in a subtransaction of its own, rolled back at once), and starts
// again. The caller sees the rows as they are when both are finally held.
// `audit_run` is the run the operation's audit rows will name: on a schema
// whose activity_log.run_id references heartbeat_runs (upstream's), the
// audit INSERT's foreign-key check takes FOR KEY SHARE on that run row, a
// wait for a run row while holding the issue row unless it is locked here.
LockedIssueAndRuns lock_issue_then_runs(const core::Uuid& issue_id, IssueRuns which,
                                        const core::OptUuid& also, const core::OptUuid& audit_run) {
    if (which == IssueRuns::None && !also && !audit_run)
        return LockedIssueAndRuns{lock_issue(issue_id), core::RunSet{}};
    for (;;) {
        LockedIssueAndRuns out;
        std::vector<core::Uuid> ids;
        bool nowait_step = false;
        const bool locked = in_subtransaction(true, &nowait_step, [&] {
            out.issue = lock_issue(issue_id);
            if (!out.issue) return;
            ids = runs_needed(out.issue->state, which, also, audit_run);
            nowait_step = true;
            out.runs = lock_runs(ids, true);
            nowait_step = false;
        });
        if (locked) return out;
        for (const core::Uuid& id : ids)
            in_subtransaction(false, nullptr, [&] { wait_for_run_plan.run({p_uuid(id)}); });
    }
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
