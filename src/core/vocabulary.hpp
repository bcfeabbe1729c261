// The vocabularies of SPEC §2: issue statuses, the terminal/holding partition of
// run statuses, and the normalized agent name key.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace paperclip::core {

const std::vector<std::string>& issue_statuses();
bool is_issue_status(const std::string& status);

// The run statuses that release a lock, as shipped in 1.0. Operators add more in
// paperclip.terminal_run_statuses; RunStatusPartition is built from that table.
const std::vector<std::string>& builtin_terminal_run_statuses();

// Splits the run-status domain into "terminal" (holds nothing) and "holding".
// A missing run counts as terminal; every status not known to be terminal --
// including ones nobody has seen yet -- holds, because releasing a lock a live
// run still needs is worse than waiting for it.
class RunStatusPartition {
public:
    RunStatusPartition();  // the built-in set
    explicit RunStatusPartition(std::set<std::string> terminal);

    bool is_terminal(const std::string& status) const { return terminal_.count(status) != 0; }
    // nullptr means "no such run".
    bool is_terminal_or_missing(const std::string* status) const {
        return status == nullptr || is_terminal(*status);
    }
    bool holds(const std::string& status) const { return !is_terminal(status); }
    const std::set<std::string>& terminal_statuses() const { return terminal_; }

private:
    std::set<std::string> terminal_;
};

// "CodexCoder" -> "codexcoder": lower-case ASCII letters and digits, nothing else.
std::string normalize_agent_name_key(const std::string& name);

}  // namespace paperclip::core
