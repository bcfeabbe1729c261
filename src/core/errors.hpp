// The SQLSTATE table of SPEC §5 and the one exception type the decision core
// throws. An application maps PCnnn straight to HTTP nnn.
#pragma once

#include <stdexcept>
#include <string>

#include "core/json.hpp"

namespace paperclip::core {

enum class ErrorCode {
    BadRequest = 400,       // PC400
    Unauthorized = 401,     // PC401
    Forbidden = 403,        // PC403
    NotFound = 404,         // PC404
    Conflict = 409,         // PC409
    Unprocessable = 422,    // PC422
};

// "PC409" for ErrorCode::Conflict.
std::string sqlstate_of(ErrorCode code);

class PcError : public std::runtime_error {
public:
    PcError(ErrorCode code, const std::string& message, std::string detail_json = {},
            std::string hint = {})
        : std::runtime_error(message), code_(code), detail_(std::move(detail_json)),
          hint_(std::move(hint)) {}

    ErrorCode code() const { return code_; }
    int http_status() const { return static_cast<int>(code_); }
    // Empty when upstream returns no details; otherwise a JSON object.
    const std::string& detail() const { return detail_; }
    const std::string& hint() const { return hint_; }

private:
    ErrorCode code_;
    std::string detail_;
    std::string hint_;
};

[[noreturn]] void fail(ErrorCode code, const std::string& message);
[[noreturn]] void fail(ErrorCode code, const std::string& message, const JsonObject& details);
[[noreturn]] void fail_validation(const std::string& field, const std::string& problem);

// Messages kept word for word from upstream Paperclip (SPEC §4): defined once.
namespace msg {
inline constexpr const char* kIssueNotFound = "Issue not found";
inline constexpr const char* kAgentNotFound = "Agent not found";
inline constexpr const char* kAssigneeAgentNotFound = "Assignee agent not found";
inline constexpr const char* kAssigneeOtherCompany = "Assignee must belong to same company";
inline constexpr const char* kPendingApprovalAgent = "Cannot assign work to pending approval agents";
inline constexpr const char* kTerminatedAgent = "Cannot assign work to terminated agents";
inline constexpr const char* kBlocked = "Issue is blocked by unresolved blockers";
inline constexpr const char* kCheckoutConflict = "Issue checkout conflict";
inline constexpr const char* kOwnershipConflict = "Issue run ownership conflict";
inline constexpr const char* kOnlyAssigneeRelease = "Only assignee can release issue";
inline constexpr const char* kOnlyCheckoutRunRelease = "Only checkout run can release issue";
inline constexpr const char* kBoardAccessRequired = "Board access required";
inline constexpr const char* kNoCompanyAccess = "User does not have access to this company";
inline constexpr const char* kInactiveCompanyAccess = "User does not have active company access";
inline constexpr const char* kViewerReadOnly = "Viewer access is read-only";
inline constexpr const char* kAgentOtherCompany = "Agent key cannot access another company";
inline constexpr const char* kCheckoutAsItself = "Agent can only checkout as itself";
inline constexpr const char* kRunIdRequired = "Agent run id required";
inline constexpr const char* kValidation = "Validation error";
inline constexpr const char* kCheckedOutByOther = "Issue is checked out by another agent";
inline constexpr const char* kMutateOthersIssue = "Agent cannot mutate another agent's issue";
inline constexpr const char* kInProgressNeedsAssignee = "in_progress issues require an assignee";
inline constexpr const char* kOneAssignee = "Issue can only have one assignee";
}  // namespace msg

}  // namespace paperclip::core
