// SPEC §4.4 release. Reference scenarios 42-47.
#include "support.hpp"

using namespace pc_test;

namespace {
void expect_released(const IssueState& r, const std::string& status) {
    EXPECT_EQ(r.id, kIssue);
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(r.assignee_agent_id, std::nullopt);
    EXPECT_EQ(r.checkout_run_id, std::nullopt);
    EXPECT_EQ(r.execution_run_id, std::nullopt);
    EXPECT_EQ(r.execution_agent_name_key, std::nullopt);
    EXPECT_EQ(r.execution_locked_at, std::nullopt);
}
}  // namespace

// Scenario 42.
TEST(Release, CheckoutRunReleasesInProgressBackToTodo) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kR, kR);
    const IssueState r = release_transition(s, kAgentA, kR, w.rules);
    expect_released(r, "todo");
    EXPECT_EQ(r.started_at, OptTimestamp(kOldStartedAt));
    EXPECT_EQ(r.company_id, kCompany);
}

// Scenario 46.
TEST(Release, NonAssigneeGets409OnlyAssigneeCanRelease) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentB, kRB, kRB);
    const PcError e = catch_pc_error([&] { release_transition(s, kAgentA, kR, w.rules); });
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(msg_of(e), "Only assignee can release issue");
    EXPECT_EQ(e.detail(), "");  // upstream returns no details
}

TEST(Release, NonAssigneeIsRefusedWhateverTheStatus) {
    World w;
    const IssueState s = make_issue("todo", kAgentB);
    const PcError e = catch_pc_error([&] { release_transition(s, kAgentA, kR, w.rules); });
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(msg_of(e), "Only assignee can release issue");
}

// Scenario 44 (service called directly).
TEST(Release, DifferentLiveCheckoutRunGets409OnlyCheckoutRunCanRelease) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kL, kL);
    const PcError e = catch_pc_error([&] { release_transition(s, kAgentA, kR, w.rules); });
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(msg_of(e), "Only checkout run can release issue");
    EXPECT_EQ(e.detail(), "{\"issueId\": " + q(kIssueS) + ", \"assigneeAgentId\": " + q(kAgentAS) +
                              ", \"checkoutRunId\": " + q(kRunLS) + ", \"actorRunId\": " + q(kRunRS) + "}");
}

TEST(Release, AgentWithoutRunCannotReleaseALiveCheckout) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kL, kL);
    const PcError e = catch_pc_error([&] { release_transition(s, kAgentA, std::nullopt, w.rules); });
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(msg_of(e), "Only checkout run can release issue");
    EXPECT_EQ(e.detail(), "{\"issueId\": " + q(kIssueS) + ", \"assigneeAgentId\": " + q(kAgentAS) +
                              ", \"checkoutRunId\": " + q(kRunLS) + ", \"actorRunId\": null}");
}

TEST(Release, ScheduledRetryAndUnknownStatusCheckoutRunsHold) {
    World w;
    for (const Uuid& holder : {kS, kP, kQ}) {
        const IssueState s = make_locked("in_progress", kAgentA, holder, holder);
        const PcError e = catch_pc_error([&] { release_transition(s, kAgentA, kR, w.rules); });
        EXPECT_EQ(msg_of(e), "Only checkout run can release issue") << holder.to_string();
    }
}

// Scenario 43.
TEST(Release, TerminalCheckoutRunDoesNotBlockTheAssignee) {
    World w;
    for (const Uuid& stale : {kF, kT, kI, kG}) {
        const IssueState s = make_locked("in_progress", kAgentA, stale, stale);
        const IssueState r = release_transition(s, kAgentA, kR2, w.rules);
        expect_released(r, "todo");
    }
}

TEST(Release, UnlockedInProgressIssueIsReleasedByAnyRunOfTheAssignee) {
    World w;
    const IssueState r = release_transition(make_issue("in_progress", kAgentA), kAgentA, kR, w.rules);
    expect_released(r, "todo");
}

// Scenario 45 (S-B): only in_progress re-queues; any other status is kept.
TEST(Release, NonInProgressStatusIsKept) {
    World w;
    for (const std::string status : {"done", "cancelled", "in_review", "blocked", "todo", "backlog"}) {
        const IssueState s = make_locked(status, kAgentA, kR, kR);
        const IssueState r = release_transition(s, kAgentA, kR, w.rules);
        expect_released(r, status);
    }
}

// Scenario 47: the board skips both checks and clears everything.
TEST(Release, BoardReleaseClearsEverythingWithoutRunChecks) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentB, kRB, kRB);
    const IssueState r = release_transition(s, std::nullopt, std::nullopt, w.rules);
    expect_released(r, "todo");
}

TEST(Release, BoardReleaseKeepsANonInProgressStatus) {
    World w;
    const IssueState r = release_transition(make_locked("in_review", kAgentA, kL, kL), std::nullopt, std::nullopt, w.rules);
    expect_released(r, "in_review");
}

TEST(Release, UserAssigneeIsNotTouched) {
    World w;
    IssueState s = make_issue("todo");
    s.assignee_user_id = "user-1";
    const IssueState r = release_transition(s, std::nullopt, std::nullopt, w.rules);
    EXPECT_EQ(r.assignee_user_id, OptText("user-1"));
    EXPECT_EQ(r.status, "todo");
}
