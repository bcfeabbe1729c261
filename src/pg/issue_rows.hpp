// Issue rows and the run rows their locks name, read and locked in the lock
// order of SPEC §7: the issue row first, then the run rows it needs in
// ascending id, in one statement. Every function here needs an open SpiSession.
#pragma once

#include <optional>
#include <vector>

#include "core/lock_state.hpp"
#include "pg/spi.hpp"

namespace paperclip::pg {

struct LockedIssue {
    core::IssueState state;
    Datum row;  // the whole row as paperclip.issues, in SPI memory
};

// SELECT ... FOR UPDATE of one issue.
std::optional<LockedIssue> lock_issue(const core::Uuid& issue_id);
// Reads one issue without locking it.
std::optional<core::IssueState> read_issue(const core::Uuid& issue_id);
// Locks the run rows (FOR NO KEY UPDATE: their status cannot change under us,
// foreign-key checks of other sessions still pass) in ascending id order.
core::RunSet lock_runs(const std::vector<core::Uuid>& ids);
std::optional<core::RunInfo> read_run(const core::Uuid& run_id);

// Which run rows an operation needs besides the one it names.
enum class IssueRuns { LockColumns, CheckoutOnly, None };

// SPEC §7's order, in one place: the issue row, then the runs its lock
// columns name (`which`), `also` and `audit_run` (the run the audit rows
// will name), ascending. No issue: no run is locked. Never waits for a run
// row while holding the issue row (see issue_rows.cpp).
struct LockedIssueAndRuns {
    std::optional<LockedIssue> issue;
    core::RunSet runs;
};
LockedIssueAndRuns lock_issue_then_runs(const core::Uuid& issue_id, IssueRuns which,
                                        const core::OptUuid& also,
                                        const core::OptUuid& audit_run = std::nullopt);
// The second half, for an issue row the caller already holds (a row trigger).
core::RunSet lock_runs_of(const core::IssueState& issue, const core::OptUuid& also);

// Writes the ownership columns of state to the row and returns the new row.
Datum write_issue(const core::IssueState& state);

// Before a run row is deleted: locks the issues naming it without waiting
// (FOR NO KEY UPDATE NOWAIT); 55P03 when another transaction holds one.
void lock_issues_naming_run_nowait(const core::Uuid& run_id);
// The issues of one company naming a run, locked, skipping rows other sessions hold.
std::vector<core::Uuid> lock_issues_held_by_run(const core::Uuid& run_id, const core::Uuid& company_id);

// True while the extension itself is writing rows; the guard triggers let
// those writes through (the functions applied the rules already).
bool extension_write_in_progress();
void reset_extension_writes();  // at transaction end, whatever happened
// At a subtransaction's abort: the writes begun in it (or in its children)
// are over, even when an error skipped their destructors.
void abort_extension_writes(SubTransactionId aborted);

class ExtensionWrite : NonCopyable {
public:
    ExtensionWrite();
    ~ExtensionWrite();

private:
    int depth_;  // the number of writes in progress when this one began
};

}  // namespace paperclip::pg
