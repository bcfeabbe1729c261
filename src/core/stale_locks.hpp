// Stale locks (SPEC §4.1, §4.2, §4.8): a lock naming a run that holds nothing
// is cleared, and the clearing is recorded. Checkout, the execution lock, the
// clear_*_if_terminal functions, the sweep and the run-terminal trigger all
// clear through these.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/access.hpp"
#include "core/audit.hpp"
#include "core/liveness.hpp"
#include "core/outcome.hpp"

namespace paperclip::core {

// SPEC §4.1: a terminal or missing execution run is cleared (with the
// checkout column when it names the same run).
std::optional<LockClearing> clear_execution_if_terminal(IssueState& issue, const LockRules& rules);
// SPEC §4.2: a terminal or missing checkout run clears all four columns, but
// never while a different, live run holds the execution lock.
std::optional<LockClearing> clear_checkout_if_terminal(IssueState& issue, const LockRules& rules);
// Both, in that order (what checkout and the sweep do).
std::vector<LockClearing> clear_terminal_locks(IssueState& issue, const LockRules& rules);

// The audit rows of the clearings, tagged with the operation that cleared them.
void add_clearing_entries(std::vector<AuditEntry>& audit, const IssueState& issue,
                          const std::vector<LockClearing>& clearings, const std::string& source);

enum class StaleLock { Execution, Checkout, Both };

// Clears what `which` names when its run holds nothing: written back and
// audited only when something was cleared. No precondition: the sweep and the
// run-terminal trigger call it on rows they locked themselves.
Outcome clear_stale_locks(const IssueState& issue, const LockRules& rules, StaleLock which,
                          const std::string& source);

// A run turned terminal (SPEC §6, as upstream since 2026-06): only an issue of
// the run's own company is touched, and per column -- where
// execution_run_id is the run the three execution columns are cleared; where
// checkout_run_id is the run only that column is. A newer run that already
// holds the other column keeps it. Audited per cleared column.
Outcome release_ended_run(const IssueState& issue, const RunInfo& run, const std::string& source);

// paperclip.clear_execution_run_if_terminal / clear_checkout_run_if_terminal.
struct ClearIfTerminalInput {
    IssueContext context;
    StaleLock which = StaleLock::Execution;
    std::string source;
};
// Precedence: 403 no actor, 404 issue, 403 company access; then the clearing.
Outcome decide_clear_if_terminal(const ClearIfTerminalInput& input);

// paperclip.sweep_stale_locks: 400 batch size not positive; 403 unless a
// database operator runs it. Checked before any row is locked.
void require_sweep_allowed(const Actor& actor, int batch_size);

// The sweep's decision for the rows it locked: one outcome per issue with
// something to clear (the others are left out). `source` names the caller in
// the audit rows: "sweep", or "lease_reaper" for the background worker.
struct SweepRow {
    IssueState issue;
    RunSet runs;
};
std::vector<Outcome> decide_sweep(const std::vector<SweepRow>& rows, const RunStatusPartition& partition,
                                  const std::string& source = "sweep");

}  // namespace paperclip::core
