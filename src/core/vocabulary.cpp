#include "core/vocabulary.hpp"

#include <algorithm>

namespace paperclip::core {

const std::vector<std::string>& issue_statuses() {
    static const std::vector<std::string> statuses = {
        status::kBacklog,    status::kTodo, status::kInProgress, status::kInReview,
        status::kBlocked,    status::kDone, status::kCancelled};
    return statuses;
}

bool is_issue_status(const std::string& status) {
    const auto& all = issue_statuses();
    return std::find(all.begin(), all.end(), status) != all.end();
}

const std::vector<std::string>& builtin_terminal_run_statuses() {
    static const std::vector<std::string> statuses = {
        "succeeded", "failed", "cancelled", "timed_out", "interrupted"};
    return statuses;
}

RunStatusPartition RunStatusPartition::seed() {
    const auto& s = builtin_terminal_run_statuses();
    return RunStatusPartition(std::set<std::string>(s.begin(), s.end()));
}

RunStatusPartition::RunStatusPartition(std::set<std::string> terminal)
    : terminal_(std::move(terminal)) {}

std::string normalize_agent_name_key(const std::string& name) {
    std::string key;
    key.reserve(name.size());
    for (unsigned char c : name) {
        if (c >= 'A' && c <= 'Z') key.push_back(static_cast<char>(c - 'A' + 'a'));
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) key.push_back(static_cast<char>(c));
    }
    return key;
}

}  // namespace paperclip::core
