// SPEC §5 error codes, the upstream messages kept word for word (SPEC §4), and
// the audit rows the rules produce.
#include "core/audit.hpp"
#include "support.hpp"

using namespace pc_test;

TEST(ErrorCodes, EachCodeMapsToPcSqlstateAndHttpStatus) {
    const std::vector<std::tuple<ErrorCode, const char*, int>> table = {
        {ErrorCode::BadRequest, "PC400", 400},   {ErrorCode::Unauthorized, "PC401", 401},
        {ErrorCode::Forbidden, "PC403", 403},    {ErrorCode::NotFound, "PC404", 404},
        {ErrorCode::Conflict, "PC409", 409},     {ErrorCode::Unprocessable, "PC422", 422}};
    for (const auto& [code, sqlstate, http] : table) {
        EXPECT_EQ(sqlstate_of(code), sqlstate);
        EXPECT_EQ(PcError(code, "m").http_status(), http);
    }
}

TEST(ErrorCodes, PcErrorCarriesMessageDetailAndHint) {
    const PcError e(ErrorCode::Conflict, "Issue checkout conflict", "{\"a\": 1}", "try again");
    EXPECT_EQ(msg_of(e), "Issue checkout conflict");
    EXPECT_EQ(e.detail(), "{\"a\": 1}");
    EXPECT_EQ(e.hint(), "try again");
}

TEST(ErrorCodes, FailWithoutDetailsLeavesDetailEmpty) {
    const PcError e = catch_pc_error([] { fail(ErrorCode::NotFound, msg::kIssueNotFound); });
    EXPECT_EQ(e.code(), ErrorCode::NotFound);
    EXPECT_EQ(msg_of(e), "Issue not found");
    EXPECT_EQ(e.detail(), "");
}

TEST(ErrorCodes, FailWithDetailsSerialisesThem) {
    const PcError e = catch_pc_error(
        [] { fail(ErrorCode::Conflict, msg::kCheckedOutByOther, JsonObject().add("issueId", kIssue)); });
    EXPECT_EQ(msg_of(e), "Issue is checked out by another agent");
    EXPECT_EQ(e.detail(), "{\"issueId\": " + q(kIssueS) + "}");
}

TEST(ErrorCodes, FailValidationIs400ValidationErrorWithFieldAndProblem) {
    const PcError e = catch_pc_error([] { fail_validation("agentId", "must be a uuid"); });
    EXPECT_EQ(e.code(), ErrorCode::BadRequest);
    EXPECT_EQ(msg_of(e), "Validation error");
    EXPECT_EQ(e.detail(), "{\"field\": \"agentId\", \"problem\": \"must be a uuid\"}");
}

// The texts an HTTP layer passes through: byte-identical to upstream (reference §3, §7).
TEST(UpstreamMessages, AreKeptWordForWord) {
    EXPECT_STREQ(msg::kIssueNotFound, "Issue not found");
    EXPECT_STREQ(msg::kAssigneeAgentNotFound, "Assignee agent not found");
    EXPECT_STREQ(msg::kAssigneeOtherCompany, "Assignee must belong to same company");
    EXPECT_STREQ(msg::kPendingApprovalAgent, "Cannot assign work to pending approval agents");
    EXPECT_STREQ(msg::kTerminatedAgent, "Cannot assign work to terminated agents");
    EXPECT_STREQ(msg::kBlocked, "Issue is blocked by unresolved blockers");
    EXPECT_STREQ(msg::kCheckoutConflict, "Issue checkout conflict");
    EXPECT_STREQ(msg::kOwnershipConflict, "Issue run ownership conflict");
    EXPECT_STREQ(msg::kOnlyAssigneeRelease, "Only assignee can release issue");
    EXPECT_STREQ(msg::kOnlyCheckoutRunRelease, "Only checkout run can release issue");
    EXPECT_STREQ(msg::kBoardAccessRequired, "Board access required");
    EXPECT_STREQ(msg::kNoCompanyAccess, "User does not have access to this company");
    EXPECT_STREQ(msg::kAgentOtherCompany, "Agent key cannot access another company");
    EXPECT_STREQ(msg::kCheckoutAsItself, "Agent can only checkout as itself");
    EXPECT_STREQ(msg::kRunIdRequired, "Agent run id required");
    EXPECT_STREQ(msg::kValidation, "Validation error");
    EXPECT_STREQ(msg::kCheckedOutByOther, "Issue is checked out by another agent");
    EXPECT_STREQ(msg::kMutateOthersIssue, "Agent cannot mutate another agent's issue");
    EXPECT_STREQ(msg::kInProgressNeedsAssignee, "in_progress issues require an assignee");
    EXPECT_STREQ(msg::kOneAssignee, "Issue can only have one assignee");
}

TEST(AuditActions, UpstreamActionNames) {
    EXPECT_EQ(action::kCheckedOut, "issue.checked_out");
    EXPECT_EQ(action::kReleased, "issue.released");
    EXPECT_EQ(action::kCheckoutLockAdopted, "issue.checkout_lock_adopted");
    EXPECT_EQ(action::kAdminForceRelease, "issue.admin_force_release");
}

TEST(StaleLockClearedEntry, RecordsWhatTheClearingRemoved) {
    World w;
    IssueState s = make_locked("in_progress", kAgentA, kF, kF);
    const auto c = clear_execution_if_terminal(s, w.rules);
    ASSERT_TRUE(c);
    const AuditEntry e = stale_lock_cleared_entry(kIssue, *c, "checkout");
    EXPECT_EQ(e.action, "issue.stale_lock_cleared");
    EXPECT_EQ(e.details.str(), "{\"issueId\": " + q(kIssueS) +
                                   ", \"lock\": \"execution\", \"previousRunId\": " + q(kRunFS) +
                                   ", \"previousRunStatus\": \"failed\", \"previousCheckoutRunId\": " +
                                   q(kRunFS) + ", \"previousExecutionRunId\": " + q(kRunFS) +
                                   ", \"source\": \"checkout\"}");
}

TEST(StaleLockClearedEntry, MissingRunHasNullStatus) {
    World w;
    IssueState s = make_locked("in_progress", kAgentA, kG, std::nullopt);
    const auto c = clear_checkout_if_terminal(s, w.rules);
    ASSERT_TRUE(c);
    const AuditEntry e = stale_lock_cleared_entry(kIssue, *c, "sweep");
    EXPECT_EQ(e.details.str(), "{\"issueId\": " + q(kIssueS) +
                                   ", \"lock\": \"checkout\", \"previousRunId\": " + q(kRunGS) +
                                   ", \"previousRunStatus\": null, \"previousCheckoutRunId\": " +
                                   q(kRunGS) + ", \"previousExecutionRunId\": null, \"source\": \"sweep\"}");
}
