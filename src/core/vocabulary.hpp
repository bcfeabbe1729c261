// The vocabularies of SPEC §2: issue statuses, the terminal-status set of run
// statuses, and the normalized agent name key.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace paperclip::core {

// The issue statuses, by name.
namespace status {
inline constexpr char kBacklog[] = "backlog";
inline constexpr char kTodo[] = "todo";
inline constexpr char kInProgress[] = "in_progress";
inline constexpr char kInReview[] = "in_review";
inline constexpr char kBlocked[] = "blocked";
inline constexpr char kDone[] = "done";
inline constexpr char kCancelled[] = "cancelled";
}  // namespace status

const std::vector<std::string>& issue_statuses();
bool is_issue_status(const std::string& status);

// The seed of paperclip.terminal_run_statuses: the rows the install script
// inserts (a unit test and the vocabulary regression test prove they are the
// same). At run time the table is the only source: RunStatusPartition is
// built from it (pg/terminal_statuses.cpp), so operators can add statuses.
const std::vector<std::string>& builtin_terminal_run_statuses();

// The terminal run statuses. Run liveness itself is decided by is_live()
// (core/liveness.hpp), which asks this set.
class RunStatusPartition {
public:
    // The seed list alone: for tests and tools. The extension builds its set
    // from the table (pg::run_status_partition()).
    static RunStatusPartition seed();
    explicit RunStatusPartition(std::set<std::string> terminal);

    bool is_terminal(const std::string& status) const { return terminal_.count(status) != 0; }
    const std::set<std::string>& terminal_statuses() const { return terminal_; }

private:
    std::set<std::string> terminal_;
};

// "CodexCoder" -> "codexcoder": lower-case ASCII letters and digits, nothing else.
std::string normalize_agent_name_key(const std::string& name);

}  // namespace paperclip::core
