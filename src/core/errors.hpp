// Errors: the SQLSTATE table of SPEC §5, every message the extension raises
// (upstream's word for word, ours), and the one exception type the decision
// core throws. The error bridge (pg/bridge.cpp) and the tests use this file;
// no message or SQLSTATE is spelled anywhere else. An application maps PCnnn
// straight to HTTP nnn.
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

// "PC409" for ErrorCode::Conflict: the five characters of the SQLSTATE (a
// static string: the error bridge reads it without allocating).
const char* sqlstate_text(ErrorCode code);
std::string sqlstate_of(ErrorCode code);

// An error the extension raises itself: a message, with a DETAIL and a HINT
// when they are not empty. Its two kinds differ only in their SQLSTATE:
// PcError (PCnnn) here, pg::SqlStateError (one of PostgreSQL's) in the bridge.
class ExtensionError : public std::runtime_error {
public:
    const std::string& detail() const { return detail_; }
    const std::string& hint() const { return hint_; }

protected:
    ExtensionError(const std::string& message, std::string detail, std::string hint)
        : std::runtime_error(message), detail_(std::move(detail)), hint_(std::move(hint)) {}

private:
    std::string detail_;
    std::string hint_;
};

// detail(): empty when upstream returns no details; otherwise a JSON object.
class PcError : public ExtensionError {
public:
    PcError(ErrorCode code, const std::string& message, std::string detail_json = {},
            std::string hint = {})
        : ExtensionError(message, std::move(detail_json), std::move(hint)), code_(code) {}

    ErrorCode code() const { return code_; }
    int http_status() const { return static_cast<int>(code_); }

private:
    ErrorCode code_;
};

[[noreturn]] void fail(ErrorCode code, const std::string& message);
[[noreturn]] void fail(ErrorCode code, const std::string& message, const JsonObject& details);
[[noreturn]] void fail_validation(const std::string& field, const std::string& problem);

namespace msg {
// Upstream Paperclip's messages, word for word (SPEC §4).
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

// Ours, in PostgreSQL's message style: lower case; detail and hint, where
// given, as full sentences.
inline constexpr const char* kCheckoutRunNotFound = "checkout run not found";
inline constexpr const char* kCheckoutRunOtherAgent = "checkout run belongs to another agent";
inline constexpr const char* kCheckoutRunNotLive = "checkout run is not live";
inline constexpr const char* kAgentRunNotFound = "agent run not found";
inline constexpr const char* kAgentRunOtherAgent = "agent run belongs to another agent";
inline constexpr const char* kExecutionRunNotFound = "execution run not found";
inline constexpr const char* kExecutionRunOtherCompany = "execution run belongs to another company";
inline constexpr const char* kOwnRunOnly = "agent can only act with its own run";
inline constexpr const char* kActAsItself = "agent can only act as itself";
inline constexpr const char* kReleaseAsItself = "agent can only release as itself";
inline constexpr const char* kCommentAsItself = "agent can only comment as itself";
inline constexpr const char* kBoardCommentAsItself = "board user can only comment as itself";
inline constexpr const char* kCommentOtherCompany = "comment must belong to the issue's company";
inline constexpr const char* kOtherAgentsRun = "agent cannot modify another agent's run";
inline constexpr const char* kAgentsCannotModify = "agents cannot modify ";  // + the table's name
inline constexpr const char* kNoActor = "no actor is set for this transaction";
inline constexpr const char* kNoActorHint =
    "Call paperclip.set_actor_agent() or paperclip.set_actor_board() in the same transaction, or "
    "connect as a role granted paperclip_operator.";
inline constexpr const char* kActorAlreadySet = "the actor of this transaction is already set";
inline constexpr const char* kActorAlreadySetHint = "An actor holds until the transaction commits or aborts.";
inline constexpr const char* kActorOutsideTransaction = "paperclip actor set outside a transaction block";
inline constexpr const char* kActorOutsideTransactionDetail =
    "The actor is cleared when this statement's transaction commits.";
inline constexpr const char* kActorOutsideTransactionHint = "Set the actor after BEGIN, in the transaction that uses it.";
inline constexpr const char* kLockColumnsDirect = "lock columns change only through paperclip functions";
inline constexpr const char* kLockColumnsDirectHint = "Use paperclip.checkout(), release() or admin_force_release().";
inline constexpr const char* kSweepNeedsOperator = "sweep_stale_locks requires the database operator privilege";
inline constexpr const char* kSweepNeedsOperatorHint = "Run it without an actor, as a role granted paperclip_operator.";
inline constexpr const char* kAuditAppendOnly = "activity_log is append-only";
inline constexpr const char* kAuditAppendOnlyHint = "Audit rows are never updated, deleted or truncated.";
inline constexpr const char* kAuditOwnName = "audit rows are written in the actor's own name";
inline constexpr const char* kRunNotFound = "run not found";
inline constexpr const char* kRenewOwnRunOnly = "only the run's own agent can renew its lease";

// Run leases: the messages SPEC §9 words itself, kept as the contract gives them.
inline constexpr const char* kRunNotLive = "Run is not live";
inline constexpr const char* kRunLeaseExpired = "Run lease expired";
// SPEC §6 and §10 (1.1), ours: lower case.
inline constexpr const char* kCheckoutRunOtherCompany = "checkout run belongs to another company";
inline constexpr const char* kLockRunOtherCompany = "lock run belongs to another company";
inline constexpr const char* kRunAgentOtherCompany = "run must belong to its agent's company";
inline constexpr const char* kRelationOtherCompany = "issue relation must stay within one company";
inline constexpr const char* kCommentOthersComment = "agent can only modify its own comments";
inline constexpr const char* kCommentColumnsFixed = "comment's issue, company and author never change";
inline constexpr const char* kPrimaryKeyFixed = "primary keys never change";
// SPEC §6 and §10 (1.1), ours: lower case.
}  // namespace msg

}  // namespace paperclip::core
