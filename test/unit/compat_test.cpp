// Compat mode (SPEC §8): the issue rules a trusted application's write (the
// unchanged Paperclip server, no actor) is still held to, and those it is not.
#include <gtest/gtest.h>

#include "core/compat.hpp"
#include "support.hpp"

using namespace paperclip::core;
using namespace pc_test;

// Held to: the vocabulary of §2.
TEST(TrustedIssueRules, UnknownStatusIs400) {
    const PcError e = catch_pc_error([] { apply_trusted_issue_rules(make_issue("doing")); });
    EXPECT_EQ(e.code(), ErrorCode::BadRequest);
}

// Held to: at most one assignee.
TEST(TrustedIssueRules, TwoAssigneesAre422) {
    IssueState s = make_issue("todo", kAgentA);
    s.assignee_user_id = "board-user";
    const PcError e = catch_pc_error([&] { apply_trusted_issue_rules(s); });
    EXPECT_EQ(e.code(), ErrorCode::Unprocessable);
    EXPECT_EQ(msg_of(e), "Issue can only have one assignee");
}

// Held to: execution_run_id IS NULL implies its companions are NULL.
TEST(TrustedIssueRules, ExecutionCompanionsFollowTheRun) {
    IssueState s = make_locked("in_progress", kAgentA, kR, kR);
    s.execution_run_id.reset();
    const IssueState out = apply_trusted_issue_rules(s);
    EXPECT_FALSE(out.execution_agent_name_key);
    EXPECT_FALSE(out.execution_locked_at);
    EXPECT_EQ(out.checkout_run_id, s.checkout_run_id);
}

// Not held to: in_progress needs an assignee (the server's force-release with
// clearAssignee leaves exactly that).
TEST(TrustedIssueRules, InProgressWithoutAssigneePasses) {
    const IssueState s = make_issue("in_progress");
    EXPECT_EQ(apply_trusted_issue_rules(s), s);
}

// Not held to: the status side effects and the lock clearing -- the row is
// written as the server sent it.
TEST(TrustedIssueRules, LocksAndTimestampsAreTheServers) {
    IssueState s = make_locked("done", kAgentA, kR, kR);
    s.completed_at.reset();
    EXPECT_EQ(apply_trusted_issue_rules(s), s);
}
